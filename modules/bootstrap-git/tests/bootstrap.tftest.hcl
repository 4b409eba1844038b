# Applies the module against a real cluster and Git server: kubeconfig_path, repository_url, path,
# namespace and ssh or https come from the caller (TF_VAR_* or -var-file), as
# tests/e2e/modules/modules_test.sh sets them for the test ground. The cluster must run the
# reconciler for the Deployment (the bootstrap waits until the cluster applied its commit).

run "rejects_an_scp_like_url" {
  command = plan
  variables {
    repository_url = "git@github.com:org/fleet.git"
  }
  expect_failures = [var.repository_url]
}

run "rejects_a_path_leaving_the_repository" {
  command = plan
  variables {
    path = "clusters/../../etc"
  }
  expect_failures = [var.path]
}

run "rejects_a_namespace_that_is_not_a_label" {
  command = plan
  variables {
    namespace = "Flux_System"
  }
  expect_failures = [var.namespace]
}

run "rejects_an_unknown_log_level" {
  command = plan
  variables {
    log_level = "verbose"
  }
  expect_failures = [var.log_level]
}

run "rejects_an_interval_without_unit" {
  command = plan
  variables {
    interval = "10"
  }
  expect_failures = [var.interval]
}

run "rejects_an_ssh_url_without_ssh_credentials" {
  command = plan
  variables {
    repository_url = "ssh://git@git.example.com/org/fleet.git"
    ssh            = null
    https          = null
  }
  expect_failures = [var.ssh]
}

run "rejects_plain_http_unless_allowed" {
  command = plan
  variables {
    repository_url = "http://git.example.com/org/fleet.git"
    ssh            = null
    https = {
      username = "flux"
      password = "token"
    }
  }
  expect_failures = [var.allow_insecure_http]
}

run "bootstraps_the_cluster" {
  command = apply

  assert {
    condition     = output.namespace == var.namespace
    error_message = "the namespace output is ${output.namespace}, not ${var.namespace}"
  }
  assert {
    condition = output.repository_files == sort([
      "${var.path}/${var.namespace}/gotk-components.yaml",
      "${var.path}/${var.namespace}/gotk-sync.yaml",
      "${var.path}/${var.namespace}/kustomization.yaml",
    ])
    error_message = "the repository files are ${jsonencode(output.repository_files)}"
  }
  assert {
    condition     = strcontains(output.repository_file_contents["${var.path}/${var.namespace}/gotk-sync.yaml"], "path: ./${var.path}")
    error_message = "gotk-sync.yaml does not make the Kustomization build ./${var.path}"
  }
  assert {
    condition     = can(regex("^main@sha1:[0-9a-f]{40}$", output.revision))
    error_message = "revision is ${output.revision}, not main@sha1:<commit>"
  }
  assert {
    condition     = output.bootstrap_path == "${var.path}/${var.namespace}"
    error_message = "bootstrap_path is ${output.bootstrap_path}"
  }
}
