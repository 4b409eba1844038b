variable "kubeconfig_path" {
  description = "Kubeconfig file of the cluster to bootstrap (a leading ~ is expanded)."
  type        = string
  validation {
    condition     = trimspace(var.kubeconfig_path) != ""
    error_message = "kubeconfig_path must name a kubeconfig file."
  }
}

variable "kubeconfig_context" {
  description = "Context of the kubeconfig to use; the file's current context when null."
  type        = string
  default     = null
}

variable "repository_url" {
  description = "URL of the Git repository: ssh://, https:// or http:// (scp-like addresses such as git@host:org/repo are not accepted by Flux)."
  type        = string
  validation {
    condition     = can(regex("^(ssh|https|http)://[^/]+/.+", var.repository_url))
    error_message = "repository_url must be an ssh://, https:// or http:// URL with a host and a repository path, such as ssh://git@github.com/org/fleet.git."
  }
}

variable "branch" {
  description = "Branch the bootstrap commits to and the cluster syncs from."
  type        = string
  default     = "main"
  validation {
    condition     = can(regex("^[A-Za-z0-9._/-]+$", var.branch)) && !startswith(var.branch, "/") && !endswith(var.branch, "/")
    error_message = "branch must be a Git branch name such as main or release/v1 (letters, digits, '.', '_', '-' and inner '/')."
  }
}

variable "path" {
  description = "Folder of the repository for this cluster, relative to its root (e.g. clusters/production). The bootstrap files go to <path>/<namespace>/."
  type        = string
  validation {
    condition     = can(regex("^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$", var.path)) && !contains(split("/", var.path), "..") && !contains(split("/", var.path), ".")
    error_message = "path must be a relative folder such as clusters/production: no leading or trailing '/', no '.' or '..' segments, no spaces."
  }
}

variable "namespace" {
  description = "Namespace Flux is installed in."
  type        = string
  default     = "flux-system"
  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.namespace))
    error_message = "namespace must be an RFC 1123 label: at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit."
  }
}

variable "ssh" {
  description = "SSH credentials, required for ssh:// URLs: private_key (PEM/OpenSSH), known_hosts (lines for the Git server; host keys are never scanned), username (\"git\" unless the URL names one) and the key's password if it has one."
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
    condition     = var.ssh == null || startswith(var.repository_url, "ssh://")
    error_message = "ssh credentials are given but repository_url is not an ssh:// URL."
  }
  validation {
    condition     = var.ssh != null || !startswith(var.repository_url, "ssh://")
    error_message = "repository_url is an ssh:// URL: set ssh = { private_key = ..., known_hosts = ... }."
  }
}

variable "https" {
  description = "HTTP(S) credentials for https:// and http:// URLs: username and password (or token), and the server's PEM certificate_authority when it is not publicly trusted. TLS client certificates are not supported yet."
  type = object({
    username              = string
    password              = string
    certificate_authority = optional(string)
  })
  default   = null
  sensitive = true
  validation {
    condition     = var.https == null || (trimspace(try(var.https.username, "")) != "" && try(var.https.password, "") != "")
    error_message = "https.username and https.password must both be non-empty (for a token, use any user name and the token as password, as your Git host documents)."
  }
  validation {
    condition     = var.https == null || can(regex("^https?://", var.repository_url))
    error_message = "https credentials are given but repository_url is not an https:// or http:// URL."
  }
}

variable "allow_insecure_http" {
  description = "Allow a plain http:// repository_url (credentials then travel unencrypted)."
  type        = bool
  default     = false
  validation {
    condition     = var.allow_insecure_http || !startswith(var.repository_url, "http://")
    error_message = "repository_url is a plain http:// URL: set allow_insecure_http = true to accept that, or use https://."
  }
}

variable "interval" {
  description = "How often the cluster fetches the repository: a Go duration such as 1m0s or 10m."
  type        = string
  default     = "1m0s"
  validation {
    condition     = can(regex("^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$", var.interval))
    error_message = "interval must be a duration such as 30s, 1m0s or 1h (units ms, s, m, h)."
  }
}

variable "log_level" {
  description = "Log level of the reconciler: info, debug or error."
  type        = string
  default     = "info"
  validation {
    condition     = contains(["info", "debug", "error"], var.log_level)
    error_message = "log_level must be one of info, debug or error."
  }
}

variable "watch_all_namespaces" {
  description = "Reconcile Flux objects in every namespace (false: only in namespace)."
  type        = bool
  default     = true
}

variable "network_policy" {
  description = "Deny ingress to the reconciler from other namespaces with network policies."
  type        = bool
  default     = true
}

variable "reconciler_version" {
  description = "Version of the reconciler image: latest or a tag starting with v; the provider's default when null."
  type        = string
  default     = null
  validation {
    condition     = var.reconciler_version == null || can(regex("^(latest|v[0-9A-Za-z._+-]+)$", coalesce(var.reconciler_version, "latest")))
    error_message = "reconciler_version must be latest or a tag starting with v, such as v0.1.0."
  }
}

variable "registry" {
  description = "Registry (and path) the reconciler image is pulled from; the provider's default when null."
  type        = string
  default     = null
}

variable "author_name" {
  description = "Author of the bootstrap commits; the provider's default (Flux) when null."
  type        = string
  default     = null
}

variable "author_email" {
  description = "E-mail of the bootstrap commits' author; the provider's default when null."
  type        = string
  default     = null
}

variable "keep_namespace" {
  description = "Keep the namespace (and what runs in it) when the module is destroyed."
  type        = bool
  default     = false
}

variable "delete_git_manifests" {
  description = "Remove the bootstrap files from Git when the module is destroyed."
  type        = bool
  default     = true
}

variable "create_timeout" {
  description = "How long the bootstrap may take, including the wait until the cluster has applied the commit: a duration such as 5m or 1h30m."
  type        = string
  default     = "10m"
  validation {
    condition     = can(regex("^([0-9]+(h|m|s))+$", var.create_timeout))
    error_message = "create_timeout must be a duration such as 30s, 10m or 1h30m."
  }
}
