# Values unknown at plan time that turn out, during apply, to equal what the objects already hold:
# terraform_data.source is replaced when `round` changes, so its output is unknown in that plan,
# and it is the same text again after the apply.
terraform {
  required_providers {
    flux = {
      source = "fluxcd/flux"
    }
  }
}

variable "round" {
  type    = number
  default = 1
}

resource "terraform_data" "source" {
  input            = "same"
  triggers_replace = var.round
}

# A plain, a nested and a set-element attribute take the unknown value.
resource "flux_test_object" "main" {
  name  = "prior"
  value = terraform_data.source.output
  settings = {
    label = terraform_data.source.output
  }
  rules = [
    { name = "web", port = 80 },
    { name = terraform_data.source.output, port = 443 },
  ]
}

# A requires-replace attribute takes it: an unknown name may differ, so the object is replaced.
resource "flux_test_object" "named" {
  name  = terraform_data.source.output
  value = "fixed"
}

output "main" {
  value = {
    revision   = flux_test_object.main.revision
    created_at = flux_test_object.main.created_at
    digest     = flux_test_object.main.digest
    rule_ids   = sort([for rule in flux_test_object.main.rules : rule.rule_id])
  }
  # rules holds a sensitive attribute (token), so the output must be marked.
  sensitive = true
}
