# Bootstraps one cluster from a repository it reaches over HTTPS with an access token: the token
# is the password of basic authentication (GitHub, GitLab and Gitea accept it so; the user name
# matters only where the host says so). Give the server's CA when it is not publicly trusted.
terraform {
  required_version = ">= 1.9.0"
  required_providers {
    flux = {
      source = "fluxcd/flux"
    }
  }
}

variable "kubeconfig_path" {
  description = "Kubeconfig file of the cluster."
  type        = string
}

variable "repository_url" {
  description = "https:// URL of the repository, e.g. https://github.com/org/fleet.git."
  type        = string
}

variable "git_username" {
  description = "User name sent with the token."
  type        = string
  default     = "git"
}

variable "git_token" {
  description = "Access token with write access to the repository."
  type        = string
  sensitive   = true
}

variable "ca_file" {
  description = "PEM CA of the Git server when it is not publicly trusted; null for public hosts."
  type        = string
  default     = null
}

variable "cluster_path" {
  description = "Folder of the repository for this cluster."
  type        = string
  default     = "clusters/production"
}

variable "namespace" {
  description = "Namespace Flux is installed in."
  type        = string
  default     = "flux-system"
}

module "flux" {
  source = "../../modules/bootstrap-git"

  kubeconfig_path = var.kubeconfig_path
  repository_url  = var.repository_url
  path            = var.cluster_path
  namespace       = var.namespace
  https = {
    username              = var.git_username
    password              = var.git_token
    certificate_authority = var.ca_file == null ? null : file(var.ca_file)
  }
}

output "namespace" {
  value = module.flux.namespace
}

output "repository_files" {
  value = module.flux.repository_files
}
