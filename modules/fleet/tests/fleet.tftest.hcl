# Applies the module against real clusters and one Git repository: repository_url, clusters and ssh
# or https come from the caller (-var-file), as tests/e2e/modules/fleet_module_test.sh sets them
# for the test ground. Every cluster must run the reconciler for its Deployment.

run "rejects_an_empty_fleet" {
  command = plan
  variables {
    clusters = {}
  }
  expect_failures = [var.clusters]
}

run "rejects_a_cluster_name_that_is_not_a_folder_label" {
  command = plan
  variables {
    clusters = {
      "Staging_1" = { kubeconfig_path = "/dev/null" }
    }
  }
  expect_failures = [var.clusters]
}

run "rejects_a_bad_interval" {
  command = plan
  variables {
    clusters = {
      staging = { kubeconfig_path = "/dev/null", interval = "5 minutes" }
    }
  }
  expect_failures = [var.clusters]
}

run "rejects_credentials_that_do_not_match_the_url" {
  command = plan
  variables {
    repository_url = "ssh://git@git.example.com/org/fleet.git"
    ssh            = null
    https          = null
  }
  expect_failures = [var.ssh]
}

run "bootstraps_every_cluster" {
  command = apply

  assert {
    condition     = jsonencode(sort(keys(output.clusters))) == jsonencode(sort(keys(var.clusters)))
    error_message = "the clusters output names ${jsonencode(keys(output.clusters))}"
  }
  assert {
    condition = alltrue([
      for name, cluster in var.clusters : jsonencode(output.clusters[name].repository_files) == jsonencode(sort([
        "clusters/${name}/${cluster.namespace}/gotk-components.yaml",
        "clusters/${name}/${cluster.namespace}/gotk-sync.yaml",
        "clusters/${name}/${cluster.namespace}/kustomization.yaml",
      ]))
    ])
    error_message = "the repository files are ${jsonencode(output.repository_files)}"
  }
  assert {
    condition     = length(output.repository_files) == 3 * length(var.clusters)
    error_message = "expected three bootstrap files per cluster, got ${jsonencode(output.repository_files)}"
  }
}
