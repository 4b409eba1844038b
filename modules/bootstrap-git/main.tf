# One cluster, one repository path: the provider is configured here from the inputs, so this module
# is called once per cluster (see ../fleet for many clusters into one repository).
provider "flux" {
  kubernetes = {
    config_path    = pathexpand(var.kubeconfig_path)
    config_context = var.kubeconfig_context
  }
  git = {
    url          = var.repository_url
    branch       = var.branch
    author_name  = var.author_name
    author_email = var.author_email
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

resource "flux_bootstrap_git" "this" {
  namespace            = var.namespace
  path                 = var.path
  interval             = var.interval
  log_level            = var.log_level
  watch_all_namespaces = var.watch_all_namespaces
  network_policy       = var.network_policy
  version              = var.reconciler_version
  registry             = var.registry
  keep_namespace       = var.keep_namespace
  delete_git_manifests = var.delete_git_manifests
  timeouts = {
    create = var.create_timeout
    update = var.create_timeout
  }
}
