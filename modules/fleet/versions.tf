terraform {
  # Provider configurations with for_each need OpenTofu 1.9 or later (not supported by Terraform).
  required_version = ">= 1.9.0"
  required_providers {
    flux = {
      source = "fluxcd/flux"
    }
  }
}
