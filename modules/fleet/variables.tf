variable "repository_url" {
  description = "URL of the one Git repository every cluster syncs from: ssh://, https:// or http://."
  type        = string
  validation {
    condition     = can(regex("^(ssh|https|http)://[^/]+/.+", var.repository_url))
    error_message = "repository_url must be an ssh://, https:// or http:// URL with a host and a repository path, such as ssh://git@github.com/org/fleet.git."
  }
}

variable "branch" {
  description = "Branch the bootstraps commit to and every cluster syncs from."
  type        = string
  default     = "main"
  validation {
    condition     = can(regex("^[A-Za-z0-9._/-]+$", var.branch)) && !startswith(var.branch, "/") && !endswith(var.branch, "/")
    error_message = "branch must be a Git branch name such as main or release/v1 (letters, digits, '.', '_', '-' and inner '/')."
  }
}

variable "clusters_folder" {
  description = "Folder of the repository holding one sub-folder per cluster: <clusters_folder>/<cluster name>."
  type        = string
  default     = "clusters"
  validation {
    condition     = can(regex("^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$", var.clusters_folder)) && !contains(split("/", var.clusters_folder), "..")
    error_message = "clusters_folder must be a relative folder such as clusters: no leading or trailing '/', no '..' segments."
  }
}

variable "clusters" {
  description = "The clusters, by name (an RFC 1123 label, used as the folder name): kubeconfig_path and optional kubeconfig_context, namespace, interval, log_level, watch_all_namespaces, network_policy, and enabled (false uninstalls the cluster but keeps its provider configuration, the step before removing it from the map). Must be known when tofu init runs (a literal, a variable or a local), as provider for_each requires."
  type = map(object({
    kubeconfig_path      = string
    kubeconfig_context   = optional(string)
    namespace            = optional(string, "flux-system")
    interval             = optional(string, "1m0s")
    log_level            = optional(string, "info")
    watch_all_namespaces = optional(bool, true)
    network_policy       = optional(bool, true)
    enabled              = optional(bool, true)
  }))
  validation {
    condition     = length(var.clusters) > 0
    error_message = "clusters must name at least one cluster."
  }
  validation {
    condition     = alltrue([for name in keys(var.clusters) : can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", name))])
    error_message = "every key of clusters must be an RFC 1123 label (lower-case letters, digits and '-'): it names the cluster's folder."
  }
  validation {
    condition     = alltrue([for cluster in values(var.clusters) : trimspace(cluster.kubeconfig_path) != ""])
    error_message = "every cluster needs a kubeconfig_path."
  }
  validation {
    condition     = alltrue([for cluster in values(var.clusters) : can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", cluster.namespace))])
    error_message = "every cluster's namespace must be an RFC 1123 label."
  }
  validation {
    condition     = alltrue([for cluster in values(var.clusters) : can(regex("^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$", cluster.interval))])
    error_message = "every cluster's interval must be a duration such as 30s, 1m0s or 1h."
  }
  validation {
    condition     = alltrue([for cluster in values(var.clusters) : contains(["info", "debug", "error"], cluster.log_level)])
    error_message = "every cluster's log_level must be info, debug or error."
  }
}

variable "ssh" {
  description = "SSH credentials for ssh:// URLs, shared by every cluster: private_key, known_hosts, and optional username and password."
  type = object({
    private_key = string
    known_hosts = string
    username    = optional(string, "git")
    password    = optional(string)
  })
  default   = null
  sensitive = true
  validation {
    condition     = var.ssh == null || (trimspace(try(var.ssh.private_key, "")) != "" && trimspace(try(var.ssh.known_hosts, "")) != "")
    error_message = "ssh.private_key and ssh.known_hosts must both be non-empty: fluxcpp checks the Git server's host key against known_hosts and never scans it."
  }
  validation {
    condition     = (var.ssh != null) == startswith(var.repository_url, "ssh://")
    error_message = "set ssh exactly when repository_url is an ssh:// URL."
  }
}

variable "https" {
  description = "HTTP(S) credentials for https:// and http:// URLs, shared by every cluster: username, password (or token) and optional certificate_authority."
  type = object({
    username              = string
    password              = string
    certificate_authority = optional(string)
  })
  default   = null
  sensitive = true
  validation {
    condition     = var.https == null || (trimspace(try(var.https.username, "")) != "" && try(var.https.password, "") != "")
    error_message = "https.username and https.password must both be non-empty."
  }
  validation {
    condition     = var.https == null || can(regex("^https?://", var.repository_url))
    error_message = "https credentials are given but repository_url is not an https:// or http:// URL."
  }
}

variable "allow_insecure_http" {
  description = "Allow a plain http:// repository_url."
  type        = bool
  default     = false
  validation {
    condition     = var.allow_insecure_http || !startswith(var.repository_url, "http://")
    error_message = "repository_url is a plain http:// URL: set allow_insecure_http = true to accept that, or use https://."
  }
}

variable "create_timeout" {
  description = "How long each cluster's bootstrap may take, including the wait until it applied the commit."
  type        = string
  default     = "10m"
  validation {
    condition     = can(regex("^([0-9]+(h|m|s))+$", var.create_timeout))
    error_message = "create_timeout must be a duration such as 30s, 10m or 1h30m."
  }
}
