# Values known only after apply (terraform_data's output) feed flux_sync and the test resource.
terraform {
  required_providers {
    flux = {
      source = "fluxcd/flux"
    }
  }
}

resource "terraform_data" "source" {
  input = "ssh://git@example.com/fleet.git"
}

data "flux_sync" "main" {
  url = terraform_data.source.output
}

resource "flux_test_object" "main" {
  name  = "unknown"
  value = terraform_data.source.output
}

output "sync" {
  value = data.flux_sync.main.content
}

output "value" {
  value = flux_test_object.main.value
}

output "digest" {
  value = flux_test_object.main.digest
}
