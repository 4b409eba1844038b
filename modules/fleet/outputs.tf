output "clusters" {
  description = "Per cluster: namespace, path (the folder its Kustomization builds) and repository_files (paths of its bootstrap files)."
  value = {
    for name, bootstrap in flux_bootstrap_git.cluster : name => {
      namespace        = bootstrap.id
      path             = "${var.clusters_folder}/${name}"
      repository_files = sort(keys(bootstrap.repository_files))
    }
  }
}

output "repository_files" {
  description = "Paths of every cluster's bootstrap files in the repository, sorted."
  value       = sort(flatten([for bootstrap in flux_bootstrap_git.cluster : keys(bootstrap.repository_files)]))
}
