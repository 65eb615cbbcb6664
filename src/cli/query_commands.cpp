// The read-only commands: status, best and export. Each opens the experiment's event log (no
// lock: they may run while `tuneq run` writes), folds it, and prints.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include <fmt/format.h>
#include <fmt/std.h>
#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "cli/experiment_dir.hpp"
#include "cli/replay_view.hpp"
#include "core/json_value.hpp"
#include "run/checkpoint_store.hpp"
#include "store/export.hpp"
#include "ui/progress_table.hpp"

namespace tuneq::cli {
namespace {

struct DirOptions {
  std::string dir;
  bool json = false;
  std::string format = "csv";
  std::string output;
  std::size_t rows = 50;
};

// Checkpoints the log names that are still on disk (retention deletes older ones), and their
// size. In-process handles ("mem:...") are not files and are not counted.
void print_checkpoint_use(const ExperimentView& view) {
  std::set<std::string> named;
  for (const Event& e : view.events) {
    if (e.kind != Event::Kind::kCheckpoint) continue;
    const nlohmann::json j = nlohmann::json::parse(e.data, nullptr, false);
    if (j.is_object() && j.contains("checkpoint") && j["checkpoint"].is_string()) {
      named.insert(j["checkpoint"].get<std::string>());
    }
  }
  if (named.empty()) return;
  std::size_t on_disk = 0;
  std::uintmax_t bytes = 0;
  for (const std::string& path : named) {
    std::error_code ec;
    if (!std::filesystem::path(path).is_absolute() || !std::filesystem::exists(path, ec)) continue;
    ++on_disk;
    bytes += detail::disk_usage(path);
  }
  fmt::print("checkpoints: {} of {} reported on disk, {:.1f} MiB (checkpoint_keep: {})\n", on_disk,
             named.size(), static_cast<double>(bytes) / (1024.0 * 1024.0),
             view.spec.checkpoint_keep == 0 ? std::string("all")
                                            : std::to_string(view.spec.checkpoint_keep));
}

nlohmann::json schedule_json(const ConfigSchedule& schedule) {
  nlohmann::json steps = nlohmann::json::array();
  for (const ScheduleStep& step : schedule) {
    nlohmann::json s;
    s["resource"] = step.resource;
    s["config"] = detail::to_json_config(step.config);
    s["cloned_from"] = step.cloned_from ? nlohmann::json(*step.cloned_from) : nlohmann::json();
    steps.push_back(std::move(s));
  }
  return steps;
}

ExitCode run_status(const DirOptions& o) {
  const ExperimentView view = open_experiment(o.dir);
  const std::vector<TrialRecord> records = trial_records(view);
  ui::Snapshot snap;
  snap.experiment = view.spec.name;
  snap.scheduler = scheduler_label(view.spec);
  snap.metric = view.spec.metric;
  snap.mode = view.spec.mode;
  snap.resource_attr = view.spec.resource;
  snap.elapsed = view.events.empty() ? 0 : view.events.back().time;
  snap.trials = &records;
  snap.rungs = replayed_rungs(view);
  if (auto best = view.table.best(view.spec.metric, view.spec.mode)) {
    snap.best = best->trial->id;
    snap.best_value = best->value;
  }
  fmt::print("{}", ui::render_status(snap, o.rows, 160));
  print_checkpoint_use(view);
  fmt::print("events: {} in {}\n", view.events.size(), view.paths.events().string());
  return ExitCode::kOk;
}

ExitCode run_best(const DirOptions& o) {
  const ExperimentView view = open_experiment(o.dir);
  const auto best = view.table.best(view.spec.metric, view.spec.mode);
  if (!best) {
    throw CommandError(ExitCode::kFailure,
                       fmt::format("no trial of {} has reported {} yet", o.dir, view.spec.metric));
  }
  const store::TrialRow& t = *best->trial;
  const auto trial_dir = std::filesystem::absolute(view.paths.trial(t.id));
  // The configs the best result was trained under: the trial's lineage as it stood when the
  // result came (a later exploit may replace it), whose last step is the config of the result.
  LineageBuilder lineage;
  for (const Event& e : view.events) {
    if (e.seq > best->result->seq) break;
    lineage.apply(e);
  }
  const auto found = lineage.schedules().find(t.id);
  const ConfigSchedule schedule = found != lineage.schedules().end() ? found->second : t.schedule;
  const Config& config = schedule.empty() ? t.config : schedule.back().config;
  if (o.json) {
    nlohmann::json j;
    j["trial"] = t.id;
    j["config"] = detail::to_json_config(config);
    j["metric"] = view.spec.metric;
    j["value"] = best->value;
    j["resource"] = best->result->resource;
    j["status"] = t.status;
    j["trial_dir"] = trial_dir.string();
    j["checkpoint"] = t.checkpoint ? nlohmann::json(*t.checkpoint) : nlohmann::json(nullptr);
    j["schedule"] = schedule_json(schedule);
    fmt::print("{}\n", j.dump(2));
    return ExitCode::kOk;
  }
  fmt::print("best trial {} ({}): {} = {} at {} {}\n", t.id, t.status, view.spec.metric,
             best->value, view.spec.resource.empty() ? "report" : view.spec.resource,
             best->result->resource);
  for (const auto& [name, value] : config) fmt::print("  {} = {}\n", name, value.to_string());
  if (schedule.size() > 1) {
    fmt::print("schedule (the configs it trained under, by {}):\n",
               view.spec.resource.empty() ? "report" : view.spec.resource);
    for (const ScheduleStep& step : schedule) {
      fmt::print("  from {}: {}{}\n", step.resource, config_to_string(step.config),
                 step.cloned_from ? fmt::format(" (cloned trial {})", *step.cloned_from) : "");
    }
  }
  fmt::print("trial directory: {}\n", trial_dir.string());
  fmt::print("checkpoint: {}\n", t.checkpoint ? *t.checkpoint : "(none)");
  return ExitCode::kOk;
}

ExitCode run_export(const DirOptions& o) {
  const ExperimentView view = open_experiment(o.dir);
  std::string text;
  if (o.format == "json") {
    text = store::export_json(view.table);
  } else if (o.format == "csv") {
    text = store::export_csv(view.table, view.spec.metric, view.spec.mode);
  } else {
    throw CommandError(ExitCode::kUsage,
                       fmt::format("unknown export format '{}'; expected csv or json", o.format));
  }
  if (o.output.empty() || o.output == "-") {
    std::cout << text;
    return ExitCode::kOk;
  }
  std::ofstream out(o.output, std::ios::binary);
  out << text;
  if (!out.flush()) {
    throw CommandError(ExitCode::kFailure, fmt::format("{}: cannot write the export", o.output));
  }
  return ExitCode::kOk;
}

}  // namespace

void register_status(CLI::App& app, Action& action) {
  auto o = std::make_shared<DirOptions>();
  CLI::App* sub = app.add_subcommand("status", "Trials by state, rungs, best so far");
  sub->add_option("dir", o->dir, "experiment directory")->required();
  sub->add_option("--rows", o->rows, "trials listed at most (running ones first)");
  sub->callback([o, &action] { action = [o] { return run_status(*o); }; });
}

void register_best(CLI::App& app, Action& action) {
  auto o = std::make_shared<DirOptions>();
  CLI::App* sub = app.add_subcommand("best", "The best trial: config, metric, checkpoint");
  sub->add_option("dir", o->dir, "experiment directory")->required();
  sub->add_flag("--json", o->json, "print as JSON");
  sub->callback([o, &action] { action = [o] { return run_best(*o); }; });
}

void register_export(CLI::App& app, Action& action) {
  auto o = std::make_shared<DirOptions>();
  CLI::App* sub = app.add_subcommand("export", "Every trial, config, status, result and decision");
  sub->add_option("dir", o->dir, "experiment directory")->required();
  sub->add_option("--format", o->format, "csv or json")->check(CLI::IsMember({"csv", "json"}));
  sub->add_option("-o,--output", o->output, "write to this file instead of standard output");
  sub->callback([o, &action] { action = [o] { return run_export(*o); }; });
}

}  // namespace tuneq::cli
