#include "cli/experiment_runner.hpp"

#include <atomic>
#include <csignal>
#include <fstream>
#include <regex>
#include <set>

#include <fmt/format.h>
#include <fmt/std.h>
#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "cli/replay_view.hpp"
#include "spec/build.hpp"
#include "tuneq/error.hpp"
#include "tuneq/process.hpp"
#include "tuneq/tuner.hpp"
#include "ui/progress_printer.hpp"

namespace tuneq::cli {
namespace {

std::atomic<int> g_interrupts{0};

extern "C" void on_interrupt(int) {
  g_interrupts.fetch_add(1);
}

// The line of `key:` at the top level of the spec file, for messages that name it (0 if the
// file or the key cannot be found).
int line_of_key(const std::string& file, const std::string& key) {
  std::ifstream in(file);
  std::string line;
  const std::regex pattern("^" + key + "\\s*:");
  for (int n = 1; std::getline(in, line); ++n) {
    if (std::regex_search(line, pattern)) return n;
  }
  return 0;
}

// Passes every event to the store, watching the first trial to end: if none of its results had
// the metric, the spec's metric is wrong, and the experiment stops with a spec error.
class MetricWatch final : public EventSink {
 public:
  MetricWatch(EventSink& inner, std::string metric) : inner_(inner), metric_(std::move(metric)) {}

  void append(const Event& e) override {
    inner_.append(e);
    if (decided_) return;
    if (e.kind == Event::Kind::kResult) {
      const auto j = nlohmann::json::parse(e.data, nullptr, false);
      if (j.is_object() && j.contains("metrics") && j["metrics"].is_object()) {
        for (const auto& [k, v] : j["metrics"].items()) {
          if (k == metric_) seen_metric_.insert(e.trial);
          keys_[e.trial].insert(k);
        }
      }
    } else if (e.kind == Event::Kind::kFinished ||
               (e.kind == Event::Kind::kFailed &&
                e.data.find("\"final\":true") != std::string::npos)) {
      decided_ = true;
      if (seen_metric_.count(e.trial) == 0 && !keys_[e.trial].empty()) missing_in_ = e.trial;
    }
  }
  void flush() override { inner_.flush(); }

  // The trial whose reports never had the metric, if that is how the first trial ended.
  std::optional<TrialId> missing_in() const { return missing_in_; }
  std::string keys_of(TrialId id) const {
    std::string out;
    for (const auto& k : keys_.at(id)) out += (out.empty() ? "" : ", ") + k;
    return out;
  }

 private:
  EventSink& inner_;
  std::string metric_;
  bool decided_ = false;
  std::set<TrialId> seen_metric_;
  std::map<TrialId, std::set<std::string>> keys_;
  std::optional<TrialId> missing_in_;
};

class Display final : public ProgressObserver {
 public:
  Display(const spec::ExperimentSpec& spec, const RunSettings& settings, Tuner*& tuner,
          const MetricWatch& watch)
      : spec_(spec),
        settings_(settings),
        tuner_(tuner),
        watch_(watch),
        printer_(stdout, ui::ProgressPrinter::is_terminal(stdout), settings.plain_interval) {}

  void on_progress(const ProgressView& v) override {
    if (g_interrupts.load() > 0 && !interrupted_) {
      interrupted_ = true;
      tuner_->interrupt("interrupted (resume with `tuneq resume DIR`)");
    }
    if (watch_.missing_in() && !metric_missing_) {
      metric_missing_ = true;
      tuner_->request_stop("the metric was never reported");
    }
    if (settings_.quiet) return;
    ui::Snapshot s;
    s.experiment = spec_.name;
    s.scheduler = scheduler_label(spec_);
    s.metric = spec_.metric;
    s.mode = spec_.mode;
    s.resource_attr = spec_.resource;
    s.elapsed = v.elapsed;
    s.trials = v.trials;
    s.rungs = v.rungs;
    s.best = v.best;
    s.best_value = v.best_value;
    s.slots = v.slots;
    printer_.show(s, v.final);
  }
  bool interrupted() const { return interrupted_; }
  bool metric_missing() const { return metric_missing_; }

 private:
  const spec::ExperimentSpec& spec_;
  const RunSettings& settings_;
  Tuner*& tuner_;
  const MetricWatch& watch_;
  ui::ProgressPrinter printer_;
  bool interrupted_ = false;
  bool metric_missing_ = false;
};

void print_summary(const spec::ExperimentSpec& spec, const ExperimentPaths& paths,
                   const TuneResult& r) {
  std::size_t counts[6] = {};
  for (const auto& t : r.trials) ++counts[static_cast<std::size_t>(t.status)];
  fmt::print(
      "\n{} ended: {}. {} trials ({} completed, {} stopped, {} paused, {} failed) in {:.1f} s\n",
      spec.name, r.end_reason, r.trials.size(),
      counts[static_cast<std::size_t>(TrialStatus::kCompleted)],
      counts[static_cast<std::size_t>(TrialStatus::kStopped)],
      counts[static_cast<std::size_t>(TrialStatus::kPaused)],
      counts[static_cast<std::size_t>(TrialStatus::kFailed)], r.elapsed);
  if (r.best) {
    const TrialRecord& best = r.trials[*r.best];
    fmt::print("best trial {}: {} = {} (reached {} {})\n", best.id, spec.metric, r.best_value,
               best.resource, spec.resource.empty() ? "reports" : spec.resource);
    for (const auto& [name, value] : best.config)
      fmt::print("  {} = {}\n", name, value.to_string());
    fmt::print("  trial directory: {}\n", std::filesystem::absolute(paths.trial(best.id)).string());
  }
  const std::string dir = std::filesystem::absolute(paths.dir).string();
  fmt::print("everything is in {} (event log events.db, trial logs and checkpoints in trials/)\n",
             dir);
  fmt::print("  tuneq status {0}   tuneq best {0}   tuneq export {0} --format csv\n", dir);
}

}  // namespace

ExitCode run_experiment(const spec::ExperimentSpec& spec, const ExperimentPaths& paths,
                        store::SqliteStore& store, const std::vector<Event>& history,
                        const RunSettings& settings) {
  std::filesystem::create_directories(paths.trials());
  std::ofstream warnings(paths.log(), std::ios::app);
  ProcessExecutorOptions popts = spec::process_executor_options(spec);
  popts.trials_dir = paths.trials();
  const bool tty = ui::ProgressPrinter::is_terminal(stdout);
  popts.warn = [&warnings, tty, &settings](const std::string& message) {
    warnings << message << "\n";
    warnings.flush();
    if (!tty && !settings.quiet) fmt::print(stderr, "tuneq: warning: {}\n", message);
  };
  auto clock = make_system_clock();
  auto executor = make_process_executor(std::move(popts), *clock);
  MetricWatch watch(store, spec.metric);
  Tuner tuner(spec::tuner_options(spec), spec::make_searcher(spec), spec::make_scheduler(spec),
              *executor, *clock, &watch);
  Tuner* tuner_ptr = &tuner;
  Display display(spec, settings, tuner_ptr, watch);
  tuner.set_observer(&display, 0.25);

  g_interrupts = 0;
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  struct sigaction old_int {
  }, old_term{};
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  TuneResult result;
  try {
    result = history.empty() ? tuner.run() : tuner.resume(history);
  } catch (...) {
    sigaction(SIGINT, &old_int, nullptr);
    sigaction(SIGTERM, &old_term, nullptr);
    throw;
  }
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  store.flush();
  store.add_query_index();

  if (display.metric_missing()) {
    const TrialId id = *watch.missing_in();
    const int line = line_of_key(spec.source, "metric");
    throw CommandError(
        ExitCode::kSpecError,
        fmt::format("{}:{}: metric: '{}' was never reported by trial {} (its reports had: {}); "
                    "expected the key the training program reports",
                    spec.source, line, spec.metric, id, watch.keys_of(id)));
  }
  print_summary(spec, paths, result);
  if (display.interrupted()) return ExitCode::kInterrupted;
  const bool all_failed =
      !result.trials.empty() &&
      std::all_of(result.trials.begin(), result.trials.end(),
                  [](const TrialRecord& t) { return t.status == TrialStatus::kFailed; });
  return all_failed ? ExitCode::kFailure : ExitCode::kOk;
}

}  // namespace tuneq::cli
