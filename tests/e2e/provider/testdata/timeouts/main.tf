# A test object whose create and update take `delay`, bounded by the timeouts attribute.
terraform {
  required_providers {
    flux = {
      source = "fluxcd/flux"
    }
  }
}

variable "value" {
  type    = string
  default = "one"
}

variable "delay" {
  type    = string
  default = null
}

variable "create_timeout" {
  type    = string
  default = null
}

variable "update_timeout" {
  type    = string
  default = null
}

resource "flux_test_object" "main" {
  name  = "slow"
  value = var.value
  delay = var.delay
  timeouts = {
    create = var.create_timeout
    update = var.update_timeout
  }
}
