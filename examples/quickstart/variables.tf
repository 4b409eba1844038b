variable "kubeconfig_path" {
  description = "Path of a kubeconfig for the cluster to bootstrap (the ground's: $KUBECONFIG)."
  type        = string
}

variable "git_url" {
  description = "SSH URL of the fleet repository, ssh://git@host:port/fleet.git (the ground's: $GIT_SSH_URL)."
  type        = string
}

variable "git_branch" {
  description = "Branch Flux commits to and syncs from."
  type        = string
  default     = "main"
}

variable "git_private_key_file" {
  description = "Private SSH key with push access to git_url (the ground's: $GIT_SSH_KEY)."
  type        = string
}

variable "git_known_hosts_file" {
  description = "known_hosts lines for the Git server (the ground's: $GIT_KNOWN_HOSTS)."
  type        = string
}

variable "cluster_path" {
  description = "Folder of this cluster in the repository; Flux's own files go to <cluster_path>/flux-system/."
  type        = string
  default     = "clusters/demo"
}

variable "interval" {
  description = "How often the reconciler fetches the repository and re-applies the cluster folder."
  type        = string
  default     = "1m0s"
}
