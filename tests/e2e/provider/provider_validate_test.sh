# Errors in the configuration name the attribute: the CLI then quotes the line that sets it.
# From bootstrap's option checks (flux_install, flux_sync) and from the framework's validators
# (nested attributes, the timeouts attribute).
source "$(dirname "$0")/provider_env.sh"

use_config validate_log_level
expect_failure "validate: log_level = \"loud\" is refused at its line" \
  'log_level = "loud"' tf validate -no-color
expect_failure "validate: the message lists the log levels" \
  'must be one of info, debug, error' tf validate -no-color

use_config validate
expect "the valid configuration validates" tf validate -no-color
plan() { tf plan -input=false -no-color "$@"; }
expect_failure "components without kustomize-controller point at components" \
  'components = var.components' plan -var 'components=["source-controller"]'
expect_failure "and say what is missing" \
  'must include source-controller' plan -var 'components=["source-controller"]'
expect_failure "an unserved component is refused at components" \
  'components = var.components' plan -var 'components=["source-controller","kustomize-controller","helm-controller"]'
expect_failure "an scp-like url points at url" \
  'url += var.url' plan -var 'url=git@example.com:org/fleet.git'
expect_failure "a bad secret name points at secret (SyncOptions.secret_name)" \
  'secret = var.secret' plan -var 'secret=Not_A_Name'
# Neither CLI follows a path into an object expression (`settings = { … }`): each quotes the
# resource, so the message names the nested attribute.
expect_failure "a validator of a nested attribute names it" \
  'Attribute "mode" must be fast or slow; got "medium"' plan -var 'mode=medium'
expect_failure "a timeouts entry is checked and named" \
  'Attribute "create" must be a positive duration' plan -var 'timeout=soon'
