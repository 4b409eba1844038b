terraform {
  # Provider-defined functions and cross-variable validation need OpenTofu 1.8 or later.
  required_version = ">= 1.8.0"
  required_providers {
    flux = {
      source = "fluxcd/flux"
    }
  }
}
