// Pins the Terraform release the provider tests also run with (besides OpenTofu). Terraform's own
// go.mod replaces its remote-state backend modules with folders that its module zip does not ship,
// so build-peers builds a copy of the module without those backends (see build_terraform).
module fluxcpp.test/peers/terraform

go 1.26

require github.com/hashicorp/terraform v1.11.4
