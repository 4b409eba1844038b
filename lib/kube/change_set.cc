#include "lib/kube/apply.h"

namespace fluxcpp::kube {

std::string_view ToString(Action action) {
  switch (action) {
    case Action::kCreated:
      return "created";
    case Action::kConfigured:
      return "configured";
    case Action::kUnchanged:
      return "unchanged";
    case Action::kDeleted:
      return "deleted";
    case Action::kSkipped:
      return "skipped";
  }
  return "unknown";
}

int ChangeSet::Count(Action action) const {
  int count = 0;
  for (const Change& change : changes) count += change.action == action;
  return count;
}

std::string ChangeSet::Summary() const {
  std::string summary;
  for (Action action : {Action::kCreated, Action::kConfigured, Action::kUnchanged, Action::kDeleted,
                        Action::kSkipped}) {
    if (int count = Count(action); count > 0) {
      if (!summary.empty()) summary += ", ";
      summary += std::to_string(count) + " " + std::string(ToString(action));
    }
  }
  return summary.empty() ? "nothing to do" : summary;
}

}  // namespace fluxcpp::kube
