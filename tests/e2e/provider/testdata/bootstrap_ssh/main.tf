# Written for the Go provider fluxcd/flux (SSH), plus known_hosts: fluxcpp never scans host keys.
terraform {
  required_providers {
    flux = {
      source = "fluxcd/flux"
    }
  }
}

variable "kubeconfig" {}
variable "url" {}
variable "private_key_file" {}
variable "known_hosts_file" {}
variable "namespace" {}
variable "branch" {
  default = "main"
}
variable "interval" {
  default = "1m0s"
}
variable "keep_namespace" {
  default = false
}
variable "delete_git_manifests" {
  default = true
}
variable "kustomization_override" {
  default = null
}
variable "image_pull_secret" {
  default = null
}
variable "registry_credentials" {
  default   = null
  sensitive = true
}

# The cluster's settings are known only once this resource is applied: the provider is
# configured lazily.
resource "terraform_data" "cluster" {
  input = var.kubeconfig
}

provider "flux" {
  kubernetes = {
    config_path = terraform_data.cluster.output
  }
  git = {
    url    = var.url
    branch = var.branch
    ssh = {
      username    = "git"
      private_key = file(var.private_key_file)
      known_hosts = file(var.known_hosts_file)
      # Honoured: the host key algorithms asked for, in order; the key must be in known_hosts.
      hostkey_algos = ["ssh-ed25519", "ecdsa-sha2-nistp256"]
    }
  }
}

resource "flux_bootstrap_git" "this" {
  namespace            = var.namespace
  path                 = "clusters/test"
  interval             = var.interval
  keep_namespace       = var.keep_namespace
  delete_git_manifests = var.delete_git_manifests
  # Both null unless a step of the test sets them.
  kustomization_override = var.kustomization_override
  image_pull_secret      = var.image_pull_secret
  registry_credentials   = var.registry_credentials
  timeouts = {
    create = "3m"
  }
}

output "files" {
  value = keys(flux_bootstrap_git.this.repository_files)
}
