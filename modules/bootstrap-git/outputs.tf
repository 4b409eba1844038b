output "namespace" {
  description = "Namespace Flux is installed in (also the resource's id)."
  value       = flux_bootstrap_git.this.id
}

output "cluster_path" {
  description = "Folder of the repository the cluster's Kustomization builds."
  value       = var.path
}

output "bootstrap_path" {
  description = "Folder the bootstrap files are committed to: <path>/<namespace>."
  value       = "${var.path}/${var.namespace}"
}

output "repository_files" {
  description = "Paths of the bootstrap files in the repository, sorted."
  value       = sort(keys(flux_bootstrap_git.this.repository_files))
}

output "repository_file_contents" {
  description = "The bootstrap files in the repository, path → content."
  value       = flux_bootstrap_git.this.repository_files
}

output "branch" {
  description = "Branch the cluster syncs from."
  value       = var.branch
}

output "revision" {
  description = "Flux revision (<branch>@sha1:<commit>) of the commit the last apply pushed or found the bootstrap files in."
  value       = flux_bootstrap_git.this.revision
}
