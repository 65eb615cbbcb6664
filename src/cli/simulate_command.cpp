// tuneq simulate experiment.yaml --benchmark NAME|FILE.csv --workers N [--seeds K] [--seed S]
//                [--max-steps M] [--max-time T] [--dir DIR | --no-events] [--json]
//
// Runs the spec's searcher and scheduler through the production tuner loop on a virtual clock,
// trials simulated by a benchmark (src/sim/), and reports the best value over simulated time,
// worker utilisation and the compute spent (docs/simulate.md). Events stay in memory, or go to
// DIR/events.db with --dir so that status/best/export read the simulated run like a real one, or
// are not built at all with --no-events (the results are the same).
#include <cmath>
#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "cli/experiment_dir.hpp"
#include "cli/replay_view.hpp"
#include "sim/benchmark.hpp"
#include "sim/simulation.hpp"
#include "sim/tabular.hpp"
#include "spec/build.hpp"
#include "spec/duration.hpp"
#include "spec/experiment_spec.hpp"
#include "store/experiment_lock.hpp"
#include "store/packed_event_log.hpp"
#include "store/sqlite_store.hpp"
#include "tuneq/error.hpp"

namespace tuneq::cli {
namespace {

constexpr std::uint64_t kDefaultSteps = 81;

struct SimulateOptions {
  std::string spec_path;
  std::string benchmark;
  int workers = 0;
  int seeds = 1;
  std::optional<std::uint64_t> seed;
  std::optional<std::uint64_t> max_steps;
  std::string max_time;
  std::string dir;
  bool no_events = false;
  bool json = false;
};

bool is_csv(const std::string& name) {
  return name.size() > 4 && name.compare(name.size() - 4, 4, ".csv") == 0;
}

// Steps of a full-length synthetic trial: --max-steps, else the scheduler's max_t, else 81.
std::uint64_t steps_for(const SimulateOptions& o, const spec::ExperimentSpec& s) {
  if (o.max_steps) return *o.max_steps;
  double max_t = 0;
  if (s.scheduler.type == spec::SchedulerType::kAsha) max_t = s.scheduler.asha.max_t;
  if (s.scheduler.type == spec::SchedulerType::kHyperband) max_t = s.scheduler.hyperband.max_t;
  if (max_t >= 1) return static_cast<std::uint64_t>(std::llround(max_t));
  return kDefaultSteps;
}

bool is_log(const Domain& d) {
  return d.kind() == Domain::Kind::kLogUniform || d.kind() == Domain::Kind::kQLogUniform ||
         d.kind() == Domain::Kind::kLogRandInt;
}

// Builds the benchmark of one seed (noise is seeded by it).
class BenchmarkFactory {
 public:
  BenchmarkFactory(const SimulateOptions& o, const spec::ExperimentSpec& s)
      : name_(o.benchmark), steps_(steps_for(o, s)) {
    if (is_csv(name_)) {
      try {
        data_ = sim::load_tabular(name_);
      } catch (const Error& e) {
        throw CommandError(e.IsInvalidArgument() ? ExitCode::kSpecError : ExitCode::kUsage,
                           e.what());
      }
      options_.metric = s.metric;
      options_.mode = s.mode;
      for (const auto& p : s.space.params()) {
        if (is_log(p.domain)) options_.log_params.push_back(p.name);
      }
    } else if (std::find(sim::synthetic_names().begin(), sim::synthetic_names().end(), name_) ==
               sim::synthetic_names().end()) {
      try {
        sim::make_synthetic(name_, {});
      } catch (const Error& e) {
        throw CommandError(ExitCode::kUsage, e.what());
      }
    }
  }

  std::unique_ptr<sim::Benchmark> make(std::uint64_t seed) const {
    try {
      if (data_) return sim::make_tabular(*data_, options_);
      return sim::make_synthetic(name_, sim::SyntheticOptions{steps_, seed});
    } catch (const Error& e) {
      throw CommandError(ExitCode::kSpecError, e.what());
    }
  }
  bool tabular() const { return data_.has_value(); }
  std::uint64_t steps() const { return steps_; }

 private:
  std::string name_;
  std::uint64_t steps_;
  std::optional<sim::TabularData> data_;
  sim::TabularOptions options_;
};

nlohmann::json number(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

struct SeedRun {
  std::uint64_t seed = 0;
  sim::SimulationOutcome outcome;
};

nlohmann::json to_json(const SimulateOptions& o, const spec::ExperimentSpec& s,
                       const BenchmarkFactory& factory, double optimum,
                       const std::vector<SeedRun>& runs) {
  nlohmann::json j;
  j["experiment"] = s.name;
  j["benchmark"] = o.benchmark;
  j["metric"] = s.metric;
  j["mode"] = spec::mode_name(s.mode);
  j["resource"] = s.resource;
  j["scheduler"] = scheduler_label(s);
  j["searcher"] = spec::to_string(s.searcher.type);
  j["workers"] = o.workers;
  j["steps"] = factory.tabular() ? nlohmann::json(nullptr) : nlohmann::json(factory.steps());
  j["optimum"] = number(optimum);
  j["runs"] = nlohmann::json::array();
  for (const auto& run : runs) {
    const auto& r = run.outcome.result;
    nlohmann::json one;
    one["seed"] = run.seed;
    one["trials"] = r.trials.size();
    one["reports"] = run.outcome.reports;
    one["elapsed"] = r.elapsed;
    one["utilisation"] = number(r.utilisation);
    one["compute"] = {{"seconds", run.outcome.compute_seconds},
                      {"resource", run.outcome.compute_resource}};
    one["end_reason"] = r.end_reason;
    if (r.best) {
      nlohmann::json config = nlohmann::json::object();
      for (const auto& [k, v] : r.trials[*r.best].config) {
        config[k] = nlohmann::json::parse(v.to_json());
      }
      one["best"] = {{"trial", *r.best},
                     {"value", number(r.best_value)},
                     {"regret", number(run.outcome.final_regret)},
                     {"config", config}};
    } else {
      one["best"] = nullptr;
    }
    nlohmann::json trajectory = nlohmann::json::array();
    for (const auto& p : run.outcome.trajectory) {
      trajectory.push_back(
          {{"time", p.time}, {"best", number(p.best)}, {"regret", number(p.regret)}});
    }
    one["trajectory"] = std::move(trajectory);
    j["runs"].push_back(std::move(one));
  }
  return j;
}

void print_table(const SimulateOptions& o, const spec::ExperimentSpec& s,
                 const BenchmarkFactory& factory, double optimum,
                 const std::vector<SeedRun>& runs) {
  const std::string unit = s.resource.empty() ? "reports" : s.resource;
  fmt::print("simulated {} ({}, {} search) on {}", s.name, scheduler_label(s),
             spec::to_string(s.searcher.type), o.benchmark);
  if (!factory.tabular()) fmt::print(" ({} steps per full trial)", factory.steps());
  fmt::print(" with {} workers; {} {}, optimum {}\n", o.workers, spec::mode_name(s.mode), s.metric,
             optimum);
  fmt::print("{:>6} {:>8} {:>9} {:>12} {:>7} {:>12} {:>14} {:>12} {:>11}\n", "seed", "trials",
             "reports", "sim time (s)", "util", "compute (s)", fmt::format("compute ({})", unit),
             "best", "regret");
  for (const auto& run : runs) {
    const auto& r = run.outcome.result;
    fmt::print("{:>6} {:>8} {:>9} {:>12.1f} {:>7.3f} {:>12.1f} {:>14.1f} {:>12.6g} {:>11.4g}\n",
               run.seed, r.trials.size(), run.outcome.reports, r.elapsed, r.utilisation,
               run.outcome.compute_seconds, run.outcome.compute_resource, r.best_value,
               run.outcome.final_regret);
  }
  if (runs.size() == 1) {
    const auto& t = runs[0].outcome.trajectory;
    fmt::print("\nbest over simulated time ({} improvements{}):\n", t.size(),
               t.size() > 20 ? "; the last 20 shown, --json has all" : "");
    fmt::print("{:>12} {:>12} {:>11}\n", "time (s)", "best", "regret");
    for (std::size_t i = t.size() > 20 ? t.size() - 20 : 0; i < t.size(); ++i) {
      fmt::print("{:>12.1f} {:>12.6g} {:>11.4g}\n", t[i].time, t[i].best, t[i].regret);
    }
    const auto& r = runs[0].outcome.result;
    if (r.best) {
      fmt::print("best trial {}: {}\n", *r.best, config_to_string(r.trials[*r.best].config));
    }
    fmt::print("ended: {}\n", r.end_reason);
  }
}

// The experiment directory of --dir: created, locked, and holding a new store.
struct SimulationDir {
  ExperimentPaths paths;
  std::optional<store::ExperimentLock> lock;
  std::unique_ptr<store::SqliteStore> store;
};

SimulationDir open_dir(const SimulateOptions& o, const spec::ExperimentSpec& s) {
  SimulationDir d;
  d.paths.dir = o.dir;
  std::error_code ec;
  std::filesystem::create_directories(d.paths.dir, ec);
  if (ec) {
    throw CommandError(
        ExitCode::kStoreError,
        fmt::format("{}: cannot create the experiment directory: {}", o.dir, ec.message()));
  }
  try {
    d.lock.emplace(store::ExperimentLock::acquire(d.paths.dir));
  } catch (const Error& e) {
    throw CommandError(e.IsFailedPrecondition() ? ExitCode::kLocked : ExitCode::kStoreError,
                       e.what());
  }
  if (std::filesystem::exists(d.paths.events())) {
    throw CommandError(ExitCode::kStoreError,
                       fmt::format("{} already holds an experiment; choose another --dir", o.dir));
  }
  try {
    d.store = store::SqliteStore::create(d.paths.events(), s.to_json());
    d.store->set_meta("simulated", fmt::format("benchmark {}, {} workers", o.benchmark, o.workers));
  } catch (const Error& e) {
    throw CommandError(ExitCode::kStoreError, e.what());
  }
  std::filesystem::copy_file(o.spec_path, d.paths.spec_copy(),
                             std::filesystem::copy_options::overwrite_existing, ec);
  return d;
}

ExitCode run_simulate(const SimulateOptions& o) {
  spec::ExperimentSpec s;
  try {
    s = spec::load_spec(o.spec_path);
  } catch (const Error& e) {
    throw CommandError(ExitCode::kSpecError, e.what());
  }
  if (!o.dir.empty() && o.seeds != 1) {
    throw CommandError(
        ExitCode::kUsage,
        fmt::format("--dir holds one experiment; it cannot take --seeds {}", o.seeds));
  }
  if (!o.dir.empty() && o.no_events) {
    throw CommandError(ExitCode::kUsage, "--no-events keeps no events; it cannot take --dir");
  }
  if (o.max_steps && *o.max_steps < 1) {
    throw CommandError(ExitCode::kUsage, "--max-steps must be >= 1");
  }
  std::optional<double> max_time;
  if (!o.max_time.empty()) {
    try {
      max_time = spec::parse_duration(o.max_time);
    } catch (const Error& e) {
      throw CommandError(ExitCode::kUsage, fmt::format("--max-time: {}", e.what()));
    }
  }
  const Budget& b = s.budget;
  if (!b.max_trials && !b.max_time && !b.max_total_resource && !max_time &&
      s.searcher.num_samples == 0) {
    throw CommandError(ExitCode::kSpecError,
                       fmt::format("{}: budget: a simulation needs an end; set budget.trials, "
                                   "budget.time or budget.total_resource, or pass --max-time",
                                   s.source));
  }

  const BenchmarkFactory factory(o, s);
  const std::uint64_t first_seed = o.seed.value_or(s.searcher.seed);
  double optimum = 0;
  std::vector<SeedRun> runs;
  for (int k = 0; k < o.seeds; ++k) {
    spec::ExperimentSpec one = s;
    one.searcher.seed = first_seed + static_cast<std::uint64_t>(k);
    const auto benchmark = factory.make(one.searcher.seed);
    if (k == 0) {
      if (benchmark->mode() && *benchmark->mode() != s.mode) {
        throw CommandError(
            ExitCode::kSpecError,
            fmt::format("{}: mode: benchmark '{}' is to be {}imised; the spec says mode: {}",
                        s.source, benchmark->name(), spec::mode_name(*benchmark->mode()),
                        spec::mode_name(s.mode)));
      }
      try {
        sim::check_space(*benchmark, s.space, s.source);
      } catch (const Error& e) {
        throw CommandError(ExitCode::kSpecError, e.what());
      }
      optimum = benchmark->optimum();
    }
    std::optional<SimulationDir> dir;
    store::PackedEventLog memory;
    EventSink* sink = o.no_events ? nullptr : &memory;
    if (!o.dir.empty()) {
      dir.emplace(open_dir(o, one));
      sink = dir->store.get();
    }
    TunerOptions options = spec::tuner_options(one);
    if (max_time) options.budget.max_time = max_time;
    std::unique_ptr<Searcher> searcher;
    std::unique_ptr<Scheduler> scheduler;
    try {
      searcher = spec::make_searcher(one);
      scheduler = spec::make_scheduler(one);
    } catch (const Error& e) {
      throw CommandError(ExitCode::kSpecError, e.what());
    }
    runs.push_back(SeedRun{one.searcher.seed,
                           sim::run_simulation(std::move(options), std::move(searcher),
                                               std::move(scheduler), *benchmark, o.workers, sink)});
    if (dir) {
      dir->store->flush();  // an error here is the command's; the index is best effort
      dir->store->add_query_index();
    }
  }
  if (o.json) {
    fmt::print("{}\n", to_json(o, s, factory, optimum, runs).dump(1));
  } else {
    print_table(o, s, factory, optimum, runs);
    if (!o.dir.empty()) {
      const std::string dir = std::filesystem::absolute(o.dir).string();
      fmt::print(
          "events are in {0}/events.db:\n  tuneq status {0}   tuneq best {0}   "
          "tuneq export {0} --format csv\n",
          dir);
    }
  }
  return ExitCode::kOk;
}

}  // namespace

void register_simulate(CLI::App& app, Action& action) {
  auto o = std::make_shared<SimulateOptions>();
  CLI::App* sub = app.add_subcommand(
      "simulate", "Run an experiment spec against a benchmark on a virtual clock");
  sub->add_option("spec", o->spec_path, "experiment spec (YAML)")->required();
  sub->add_option("--benchmark", o->benchmark,
                  "branin, hartmann3, hartmann6, curves, or a tabular FILE.csv")
      ->required();
  sub->add_option("--workers", o->workers, "simulated workers (trials at once)")
      ->required()
      ->check(CLI::PositiveNumber);
  sub->add_option("--seeds", o->seeds, "runs, with seeds S, S+1, ..., S+K-1 (default 1)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--seed", o->seed, "first seed (default: the spec's searcher.seed)");
  sub->add_option("--max-steps", o->max_steps,
                  "steps of a full synthetic trial (default: the scheduler's max_t, else 81)");
  sub->add_option("--max-time", o->max_time,
                  "simulated time budget (e.g. 2h, 900), overrides the spec's budget.time");
  sub->add_option("--dir", o->dir, "write the events to DIR/events.db (status/best/export)");
  sub->add_flag("--no-events", o->no_events,
                "keep no event log in memory (same results, faster, less memory)");
  sub->add_flag("--json", o->json, "print one JSON document");
  sub->callback([o, &action] { action = [o] { return run_simulate(*o); }; });
}

}  // namespace tuneq::cli
