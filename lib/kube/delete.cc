#include <mutex>
#include <optional>

#include "lib/kube/apply.h"
#include "lib/kube/concurrency.h"
#include "lib/kube/errors.h"

namespace fluxcpp::kube {

ApplyResult DeleteAll(Client& client, const std::vector<Object>& objects,
                      const DeleteAllOptions& options) {
  std::vector<std::optional<Change>> changes(objects.size());
  std::mutex mutex;
  std::vector<std::string> failures;
  ForEachConcurrently(objects.size(), options.concurrency, [&](size_t index) {
    const Object& object = objects[index];
    Change change{object.Describe(), object.Identity(), object.Gvk().version, Action::kSkipped};
    bool keep = object.Annotation(options.keep_key) == "disabled" ||
                object.Label(options.keep_key) == "disabled";
    if (!keep) {
      absl::Status deleted = client.Delete(object.Gvk(), object.Namespace(), object.Name(),
                                           {.propagation_policy = options.propagation_policy});
      if (!deleted.ok() && !IsNotFoundError(deleted) &&
          deleted.code() != absl::StatusCode::kNotFound) {
        std::lock_guard lock(mutex);
        failures.emplace_back(deleted.message());
        return;
      }
      change.action = Action::kDeleted;
    }
    changes[index] = change;
  });
  ApplyResult result;
  for (auto& change : changes) {
    if (change) result.change_set.changes.push_back(std::move(*change));
  }
  if (!failures.empty()) {
    std::string message = std::to_string(failures.size()) + " of " +
                          std::to_string(objects.size()) + " deletions failed:";
    for (const std::string& failure : failures) message += "\n  " + failure;
    result.status = absl::UnavailableError(message);
  }
  return result;
}

}  // namespace fluxcpp::kube
