// libcurl handles owned RAII-style, and libcurl's process-wide initialisation done once, before
// the first handle, whichever library (lib/kube, lib/git, the reconciler) asks first.
#pragma once

#include <curl/curl.h>

#include <memory>

namespace fluxcpp::curl {

struct EasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct MultiDeleter {
  void operator()(CURLM* handle) const { curl_multi_cleanup(handle); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
struct StringDeleter {
  void operator()(char* text) const { curl_free(text); }
};
using Easy = std::unique_ptr<CURL, EasyDeleter>;
using Multi = std::unique_ptr<CURLM, MultiDeleter>;
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;
using String = std::unique_ptr<char, StringDeleter>;

// curl_global_init, once per process; thread-safe. NewEasy and NewMulti call it.
void InitializeOnce();

// A new easy handle; null only when libcurl is out of memory.
Easy NewEasy();
// A new multi handle; null only when libcurl is out of memory.
Multi NewMulti();

}  // namespace fluxcpp::curl
