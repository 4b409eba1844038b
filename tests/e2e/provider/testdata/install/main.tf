# flux_install and flux_sync with their defaults, and with options set.
terraform {
  required_providers {
    flux = {
      source = "fluxcd/flux"
    }
  }
}

data "flux_install" "default" {}

data "flux_install" "custom" {
  target_path     = "./clusters/dev/"
  namespace       = "flux-prod"
  network_policy  = false
  log_level       = "debug"
  toleration_keys = ["dedicated"]
}

data "flux_sync" "main" {
  url         = "ssh://git@example.com/fleet.git"
  target_path = "clusters/dev"
  interval    = 5
}

output "default_content" {
  value = data.flux_install.default.content
}

output "default_path" {
  value = data.flux_install.default.path
}

output "custom_content" {
  value = data.flux_install.custom.content
}

output "custom_path" {
  value = data.flux_install.custom.path
}

# The attributes the test reads, not the whole object: OpenTofu warns about an output that holds
# the deprecated git_implementation.
output "sync" {
  value = {
    for name in ["path", "kustomize_path", "content", "kustomize_content", "branch", "name", "secret"] :
    name => data.flux_sync.main[name]
  }
}
