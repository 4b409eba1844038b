terraform {
  # Cross-variable validation needs a recent OpenTofu; tested with 1.12.
  required_version = ">= 1.9.0"
  required_providers {
    flux = {
      source = "fluxcd/flux"
    }
  }
}
