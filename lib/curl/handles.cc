#include "lib/curl/handles.h"

#include <mutex>

namespace fluxcpp::curl {

void InitializeOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

Easy NewEasy() {
  InitializeOnce();
  return Easy(curl_easy_init());
}

Multi NewMulti() {
  InitializeOnce();
  return Multi(curl_multi_init());
}

}  // namespace fluxcpp::curl
