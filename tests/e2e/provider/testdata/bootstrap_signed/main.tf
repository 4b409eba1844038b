# Written for the Go provider fluxcd/flux: HTTPS, commits signed with an OpenPGP key
# (gpg_key_ring / gpg_passphrase / gpg_key_id), and a kubeconfig whose current context names an
# unreachable cluster and a user with a bogus token, so only config_context_cluster and
# config_context_auth_info lead to the cluster.
terraform {
  required_providers {
    flux = {
      source = "fluxcd/flux"
    }
  }
}

variable "kubeconfig" {}
variable "kube_user" {}
variable "kube_cluster" {}
variable "url" {}
variable "username" {}
variable "password" {
  sensitive = true
}
variable "ca_file" {}
variable "namespace" {}
variable "gpg_key_ring_file" {}
variable "gpg_passphrase" {
  sensitive = true
}
variable "gpg_key_id" {}

provider "flux" {
  kubernetes = {
    config_path              = var.kubeconfig
    config_context_auth_info = var.kube_user
    config_context_cluster   = var.kube_cluster
  }
  git = {
    url            = var.url
    branch         = "main"
    gpg_key_ring   = file(var.gpg_key_ring_file)
    gpg_passphrase = var.gpg_passphrase
    gpg_key_id     = var.gpg_key_id
    http = {
      username              = var.username
      password              = var.password
      certificate_authority = file(var.ca_file)
    }
  }
}

resource "flux_bootstrap_git" "this" {
  namespace      = var.namespace
  path           = "clusters/signed"
  interval       = "2m0s"
  network_policy = false
}
