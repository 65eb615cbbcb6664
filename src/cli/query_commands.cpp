// The read-only commands: status, best and export. Each opens the experiment's event log (no
// lock: they may run while `tuneq run` writes), folds it, and prints.
#include <fstream>
#include <iostream>

#include <fmt/format.h>
#include <fmt/std.h>
#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "cli/experiment_dir.hpp"
#include "cli/replay_view.hpp"
#include "core/json_value.hpp"
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
  if (o.json) {
    nlohmann::json j;
    j["trial"] = t.id;
    j["config"] = detail::to_json_config(t.config);
    j["metric"] = view.spec.metric;
    j["value"] = best->value;
    j["resource"] = best->result->resource;
    j["status"] = t.status;
    j["trial_dir"] = trial_dir.string();
    j["checkpoint"] = t.checkpoint ? nlohmann::json(*t.checkpoint) : nlohmann::json(nullptr);
    fmt::print("{}\n", j.dump(2));
    return ExitCode::kOk;
  }
  fmt::print("best trial {} ({}): {} = {} at {} {}\n", t.id, t.status, view.spec.metric,
             best->value, view.spec.resource.empty() ? "report" : view.spec.resource,
             best->result->resource);
  for (const auto& [name, value] : t.config) fmt::print("  {} = {}\n", name, value.to_string());
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
