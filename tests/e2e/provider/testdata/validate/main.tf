# Every attribute a test sets to a wrong value comes from a variable, so one configuration serves
# each case: the error must point at the attribute's line.
terraform {
  required_providers {
    flux = {
      source = "fluxcd/flux"
    }
  }
}

variable "components" {
  type    = set(string)
  default = ["source-controller", "kustomize-controller"]
}

variable "url" {
  type    = string
  default = "ssh://git@example.com/fleet.git"
}

variable "secret" {
  type    = string
  default = "flux-system"
}

variable "mode" {
  type    = string
  default = "fast"
}

variable "timeout" {
  type    = string
  default = "1m"
}

data "flux_install" "main" {
  components = var.components
}

data "flux_sync" "main" {
  url    = var.url
  secret = var.secret
}

resource "flux_test_object" "main" {
  name = "validated"
  settings = {
    mode = var.mode
  }
  timeouts = {
    create = var.timeout
  }
}
