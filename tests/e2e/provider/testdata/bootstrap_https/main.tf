# Written for the Go provider fluxcd/flux (HTTPS with basic auth and the server's CA).
terraform {
  required_providers {
    flux = {
      source = "fluxcd/flux"
    }
  }
}

variable "kubeconfig" {}
variable "url" {}
variable "username" {}
variable "password" {
  sensitive = true
}
variable "ca_file" {}
variable "namespace" {}
variable "path" {
  default = "clusters/test"
}

provider "flux" {
  kubernetes = {
    config_path = var.kubeconfig
  }
  git = {
    url    = var.url
    branch = "main"
    http = {
      username              = var.username
      password              = var.password
      certificate_authority = file(var.ca_file)
    }
  }
}

resource "flux_bootstrap_git" "this" {
  namespace      = var.namespace
  path           = var.path
  interval       = "2m0s"
  network_policy = false
}

output "files" {
  value = keys(flux_bootstrap_git.this.repository_files)
}
