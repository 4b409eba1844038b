# State written with schema version 0 is upgraded to the current version through the framework's
# state upgrader: `content` becomes `value`, the computed attributes are filled, and the upgraded
# object matches the configuration, so there is nothing to do.
source "$(dirname "$0")/provider_env.sh"
use_config state_upgrade

expect_no_changes "the upgraded state matches the configuration"
expect "a refresh-only apply writes the upgraded state" tf apply -refresh-only -auto-approve -input=false -no-color
instance='.resources[] | select(.name=="legacy") | .instances[0]'
expect_equal "the state now has schema version 1" 1 "$(jq "$instance.schema_version" "$work/terraform.tfstate")"
expect_equal "content became value" "written by version 0" "$(jq -r "$instance.attributes.value" "$work/terraform.tfstate")"
expect_equal "content is gone" null "$(jq -r "$instance.attributes.content" "$work/terraform.tfstate")"
expect_equal "computed attributes are filled" "3 1 16" \
  "$(jq -r "$instance.attributes | \"\(.size) \(.revision) \(.digest | length)\"" "$work/terraform.tfstate")"
expect_no_changes "still nothing to do"

# A state newer than the provider is an error, not a silent downgrade.
jq "(.resources[0].instances[0].schema_version) = 7" "$work/terraform.tfstate" >"$scratch/newer.tfstate"
cp "$scratch/newer.tfstate" "$work/terraform.tfstate"
expect_failure "a state from a newer schema version is refused" 'newer' tf plan -input=false -no-color
