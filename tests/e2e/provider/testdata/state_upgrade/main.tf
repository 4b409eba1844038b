# Matches the object in terraform.tfstate, written by schema version 0 (`content`, not `value`).
terraform {
  required_providers {
    flux = {
      source = "fluxcd/flux"
    }
  }
}

resource "flux_test_object" "legacy" {
  name  = "legacy"
  value = "written by version 0"
}
