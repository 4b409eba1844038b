# Bootstraps one cluster from a repository it reaches over SSH with a deploy key: the key pair is
# made once (ssh-keygen), its public half registered with write access on the Git host, and the
# host's key pinned in known_hosts.
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
  description = "ssh:// URL of the repository, e.g. ssh://git@github.com/org/fleet.git."
  type        = string
}

variable "private_key_file" {
  description = "The deploy key's private half (OpenSSH or PEM)."
  type        = string
}

variable "known_hosts_file" {
  description = "known_hosts lines of the Git server, checked out of band."
  type        = string
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
  ssh = {
    private_key = file(var.private_key_file)
    known_hosts = file(var.known_hosts_file)
  }
}

output "namespace" {
  value = module.flux.namespace
}

output "repository_files" {
  value = module.flux.repository_files
}
