# An import block for the test resource; its ID is the object's name.
terraform {
  required_providers {
    flux = {
      source = "fluxcd/flux"
    }
  }
}

import {
  to = flux_test_object.imported
  id = "imported-name"
}

resource "flux_test_object" "imported" {
  name = "imported-name"
}
