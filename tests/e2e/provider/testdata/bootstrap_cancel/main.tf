# bootstrap_ssh with the create timeout from a variable, for the cancellation tests.
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
variable "create_timeout" {
  default = "5m"
}
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
    create = var.create_timeout
  }
}

output "files" {
  value = keys(flux_bootstrap_git.this.repository_files)
}
