# Many clusters into one repository: one provider configuration per cluster (provider for_each),
# each bootstrapping clusters/<name>. The bootstraps push to the same branch concurrently; the
# provider's push re-applies its commit on top of another's, so they do not need to be serialised.
#
# The providers iterate over every cluster and the bootstraps over the enabled ones only: OpenTofu
# destroys a resource instance with its provider instance, so a cluster is uninstalled by setting
# enabled = false (its provider stays) before it is removed from the map.
locals {
  enabled_clusters = { for name, cluster in var.clusters : name => cluster if cluster.enabled }
}

provider "flux" {
  alias    = "cluster"
  for_each = var.clusters

  kubernetes = {
    config_path    = pathexpand(each.value.kubeconfig_path)
    config_context = each.value.kubeconfig_context
  }
  git = {
    url    = var.repository_url
    branch = var.branch
    ssh = var.ssh == null ? null : {
      username    = var.ssh.username
      private_key = var.ssh.private_key
      known_hosts = var.ssh.known_hosts
      password    = var.ssh.password
    }
    http = var.https == null ? null : {
      username              = var.https.username
      password              = var.https.password
      certificate_authority = var.https.certificate_authority
      allow_insecure_http   = var.allow_insecure_http
    }
  }
}

resource "flux_bootstrap_git" "cluster" {
  for_each = local.enabled_clusters
  provider = flux.cluster[each.key]

  namespace            = each.value.namespace
  path                 = "${var.clusters_folder}/${each.key}"
  interval             = each.value.interval
  log_level            = each.value.log_level
  watch_all_namespaces = each.value.watch_all_namespaces
  network_policy       = each.value.network_policy
  timeouts = {
    create = var.create_timeout
    update = var.create_timeout
  }
}
