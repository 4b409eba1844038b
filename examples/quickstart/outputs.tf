output "namespace" {
  description = "Namespace Flux runs in."
  value       = flux_bootstrap_git.this.id
}

output "repository_files" {
  description = "Files the bootstrap committed to the repository."
  value       = sort(keys(flux_bootstrap_git.this.repository_files))
}
