# Two clusters, one repository: staging and production each reconcile their own folder
# clusters/<name> of the same repository, bootstrapped by the fleet module with one provider
# configuration per cluster.
terraform {
  required_version = ">= 1.9.0"
  required_providers {
    flux = {
      source = "fluxcd/flux"
    }
  }
}

variable "repository_url" {
  description = "ssh:// URL of the fleet repository."
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

variable "staging_kubeconfig" {
  description = "Kubeconfig file of the staging cluster."
  type        = string
}

variable "production_kubeconfig" {
  description = "Kubeconfig file of the production cluster."
  type        = string
}

module "fleet" {
  source = "../../modules/fleet"

  repository_url = var.repository_url
  ssh = {
    private_key = file(var.private_key_file)
    known_hosts = file(var.known_hosts_file)
  }
  clusters = {
    staging = {
      kubeconfig_path = var.staging_kubeconfig
      interval        = "1m0s"
    }
    production = {
      kubeconfig_path = var.production_kubeconfig
      interval        = "5m0s"
    }
  }
}

output "clusters" {
  value = module.fleet.clusters
}
