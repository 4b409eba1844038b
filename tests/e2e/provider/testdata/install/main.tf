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

output "sync" {
  value = data.flux_sync.main
}
