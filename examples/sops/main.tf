# Bootstraps one cluster from a repository reached over SSH, ready for Secrets encrypted with SOPS:
# the README's steps then give the cluster an age key (the Secret sops-age) and push an encrypted
# Secret with a Kustomization that decrypts it (spec.decryption). The key never passes through
# OpenTofu, so it is in neither the state nor a plan.
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
  description = "The deploy key's private half (OpenSSH or PEM), with write access."
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
  description = "Namespace Flux is installed in; the sops-age Secret goes there too."
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

output "cluster_path" {
  value = module.flux.cluster_path
}
