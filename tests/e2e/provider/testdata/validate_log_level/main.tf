# A log level flux_install does not know: `tofu validate` must point at the attribute.
terraform {
  required_providers {
    flux = {
      source = "fluxcd/flux"
    }
  }
}

data "flux_install" "main" {
  namespace = "flux-system"
  log_level = "loud"
}
