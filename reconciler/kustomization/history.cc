#include "reconciler/kustomization/history.h"

#include "reconciler/runtime/status.h"

namespace fluxcpp::reconciler::kustomization {

using manifest::Json;

void UpdateHistory(Json& history, const HistoryRecord& record) {
  if (!history.is_array()) history = Json::array();
  std::string now = FormatTime(record.time);
  Json entry;
  for (auto it = history.begin(); it != history.end(); ++it) {
    if (it->is_object() && it->value("digest", "") == record.digest) {
      entry = *it;
      history.erase(it);
      break;
    }
  }
  if (entry.is_null()) {
    entry = Json{{"digest", record.digest}, {"firstReconciled", now}, {"totalReconciliations", 0}};
  }
  entry["lastReconciled"] = now;
  entry["lastReconciledDuration"] = FormatDuration(record.duration);
  entry["lastReconciledStatus"] = record.status;
  entry["totalReconciliations"] = entry.value("totalReconciliations", int64_t{0}) + 1;
  entry["metadata"] = Json{{"revision", record.revision}};
  history.insert(history.begin(), std::move(entry));
  while (history.size() > kMaxHistory) history.erase(history.end() - 1);
}

}  // namespace fluxcpp::reconciler::kustomization
