# Calls the provider's function the way a configuration written for fluxcd/flux would.
terraform {
  required_providers {
    flux = {
      source = "fluxcd/flux"
    }
  }
}

variable "revision" {
  type    = string
  default = "main@sha1:0123456789abcdef0123456789abcdef01234567"
}

output "parsed" {
  value = provider::flux::parse_revision(var.revision)
}
