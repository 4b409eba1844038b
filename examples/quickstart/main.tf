# The quick start: bootstrap Flux on a cluster from one `tofu apply`. Written exactly as for the public
# Go provider (fluxcd/flux), so it runs unchanged with either; the one addition is `ssh.known_hosts`,
# because fluxcpp never scans host keys. `make demo` applies it to the local test ground
# (tools/demo); tests/e2e/quickstart runs it as a test.
terraform {
  required_providers {
    flux = {
      source = "fluxcd/flux"
    }
  }
}

provider "flux" {
  kubernetes = {
    config_path = var.kubeconfig_path
  }
  git = {
    url    = var.git_url
    branch = var.git_branch
    ssh = {
      username    = "git"
      private_key = file(var.git_private_key_file)
      known_hosts = file(var.git_known_hosts_file)
    }
  }
}

# Commits the Flux manifests under <path>/flux-system/, applies them, and waits until the in-cluster
# reconciler has applied that commit.
resource "flux_bootstrap_git" "this" {
  path     = var.cluster_path
  interval = var.interval
}
