# A set of nested objects (rules) and a set block (tag), with values to break from the command
# line.
terraform {
  required_providers {
    flux = {
      source = "fluxcd/flux"
    }
  }
}

variable "dns_port" {
  type    = number
  default = 53
}

variable "web_port" {
  type    = number
  default = 80
}

variable "token" {
  type    = string
  default = "hunter2-do-not-print"
}

variable "tag_key" {
  type    = string
  default = "team"
}

resource "flux_test_object" "main" {
  name = "sets"
  rules = [
    { name = "web", port = var.web_port, token = var.token },
    { name = "dns", port = var.dns_port, protocol = "udp" },
  ]
  tag {
    key   = var.tag_key
    value = "platform"
  }
  tag {
    key = "tier"
  }
}

output "rule_ids" {
  value     = sort([for rule in flux_test_object.main.rules : rule.rule_id])
  sensitive = true
}
