#include "cli/experiment_dir.hpp"

#include <cmath>
#include <map>

#include <fmt/format.h>
#include <fmt/std.h>

#include "cli/command.hpp"
#include "tuneq/error.hpp"

namespace tuneq::cli {

ExperimentView open_experiment(const std::filesystem::path& dir) {
  ExperimentView view;
  view.paths.dir = dir;
  if (!std::filesystem::exists(view.paths.events())) {
    throw CommandError(
        ExitCode::kStoreError,
        fmt::format("{} is not a tuneq experiment (no events.db in it)", dir.string()));
  }
  try {
    auto store = store::SqliteStore::open(view.paths.events());
    view.spec = spec::from_json(store->meta("spec"));
    view.events = store->read_all();
    view.table = store::fold(view.events);
  } catch (const Error& e) {
    throw CommandError(ExitCode::kStoreError, e.what());
  }
  return view;
}

std::vector<TrialRecord> trial_records(const ExperimentView& view) {
  static const std::map<std::string, TrialStatus> kStatus = {
      {"pending", TrialStatus::kPending}, {"running", TrialStatus::kRunning},
      {"paused", TrialStatus::kPaused},   {"completed", TrialStatus::kCompleted},
      {"stopped", TrialStatus::kStopped}, {"failed", TrialStatus::kFailed}};
  const std::string& metric = view.spec.metric;
  std::vector<TrialRecord> out;
  for (const auto& [id, row] : view.table.trials()) {
    TrialRecord r;
    r.id = id;
    r.config = row.config;
    r.status = kStatus.at(row.status);
    r.num_results = row.results.size();
    r.resource = row.resource_reached();
    r.last_value = row.last_value(metric).value_or(std::nan(""));
    if (auto best = row.best_result(metric, view.spec.mode)) {
      r.best_value = row.results[*best].metrics.at(metric);
    }
    r.checkpoint = row.checkpoint;
    r.failures = row.failures;
    for (auto it = row.decisions.rbegin(); it != row.decisions.rend(); ++it) {
      if (!it->reason.empty()) {
        r.last_reason = it->reason;
        break;
      }
    }
    if (r.status == TrialStatus::kFailed) r.last_reason = row.error.substr(0, row.error.find('\n'));
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace tuneq::cli
