# The test resource through its whole life: create, no-op, update, replace, destroy.
terraform {
  required_providers {
    flux = {
      source = "fluxcd/flux"
    }
  }
}

variable "name" {
  type    = string
  default = "first"
}

variable "value" {
  type    = string
  default = "one"
}

variable "secret" {
  type      = string
  default   = "hunter2-do-not-print"
  sensitive = false
}

resource "flux_test_object" "main" {
  name   = var.name
  value  = var.value
  secret = var.secret
  settings = {
    label = "blue"
  }
}

output "object" {
  value     = flux_test_object.main
  sensitive = true
}
