# Bootstraps one environment's cluster from a monorepo laid out as repository/ shows: the cluster's
# folder clusters/<environment> holds two Kustomizations, infrastructure and then apps (dependsOn),
# each building the environment's overlay of a shared base.
terraform {
  required_version = ">= 1.9.0"
  required_providers {
    flux = {
      source = "fluxcd/flux"
    }
  }
}

variable "environment" {
  description = "Which overlay this cluster runs: staging or production."
  type        = string
  validation {
    condition     = contains(["staging", "production"], var.environment)
    error_message = "environment must be staging or production: the repository has clusters/staging and clusters/production."
  }
}

variable "kubeconfig_path" {
  description = "Kubeconfig file of the environment's cluster."
  type        = string
}

variable "repository_url" {
  description = "ssh:// URL of the monorepo."
  type        = string
}

variable "private_key_file" {
  description = "Private key of a deploy key with write access."
  type        = string
}

variable "known_hosts_file" {
  description = "known_hosts lines of the Git server."
  type        = string
}

module "flux" {
  source = "../../modules/bootstrap-git"

  kubeconfig_path = var.kubeconfig_path
  repository_url  = var.repository_url
  path            = "clusters/${var.environment}"
  # The Kustomizations in clusters/<environment> refer to the GitRepository flux-system in the
  # namespace flux-system, which the bootstrap creates.
  namespace = "flux-system"
  ssh = {
    private_key = file(var.private_key_file)
    known_hosts = file(var.known_hosts_file)
  }
}

output "repository_files" {
  value = module.flux.repository_files
}
