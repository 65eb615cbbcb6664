// tuneq run experiment.yaml [--dir DIR] [--seed N] [--quiet]
// tuneq resume DIR [--quiet]
//
// run starts a new experiment in DIR (default ./tuneq-runs/<name>); resume continues one that
// was interrupted, replaying its event log so that the searcher and scheduler are exactly where
// they were. Both hold DIR's lock for as long as they write its log.
#include <cstdlib>

#include <fmt/format.h>
#include <fmt/std.h>

#include "cli/command.hpp"
#include "cli/experiment_runner.hpp"
#include "store/experiment_lock.hpp"
#include "tuneq/error.hpp"

namespace tuneq::cli {
namespace {

struct RunOptions {
  std::string spec_path;
  std::string dir;
  std::optional<std::uint64_t> seed;
  bool quiet = false;
};

store::ExperimentLock lock(const std::filesystem::path& dir) {
  try {
    return store::ExperimentLock::acquire(dir);
  } catch (const Error& e) {
    throw CommandError(e.IsFailedPrecondition() ? ExitCode::kLocked : ExitCode::kStoreError,
                       e.what());
  }
}

ExitCode run_new(const RunOptions& o) {
  spec::ExperimentSpec spec;
  try {
    spec = spec::load_spec(o.spec_path);
  } catch (const Error& e) {
    throw CommandError(ExitCode::kSpecError, e.what());
  }
  // Precedence: --seed, then TUNEQ_SEED, then the spec's searcher.seed.
  if (o.seed) {
    spec.searcher.seed = *o.seed;
  } else if (const char* env = std::getenv("TUNEQ_SEED"); env != nullptr && *env != '\0') {
    try {
      spec.searcher.seed = std::stoull(env);
    } catch (const std::exception&) {
      throw CommandError(ExitCode::kUsage,
                         fmt::format("TUNEQ_SEED='{}' is not a non-negative integer", env));
    }
  }
  const std::string token = std::string("{") + spec::kSpecDirPlaceholder + "}";
  for (auto at = spec.command.find(token); at != std::string::npos; at = spec.command.find(token)) {
    const std::string dir =
        std::filesystem::absolute(o.spec_path).lexically_normal().parent_path().string();
    if (dir.find('\'') != std::string::npos) {
      throw CommandError(ExitCode::kSpecError,
                         fmt::format("{}: {{spec_dir}} cannot hold a path with a single quote: {}",
                                     o.spec_path, dir));
    }
    spec.command.replace(at, token.size(), "'" + dir + "'");
  }
  ExperimentPaths paths;
  paths.dir = o.dir.empty() ? std::filesystem::path("tuneq-runs") / spec.name
                            : std::filesystem::path(o.dir);
  std::error_code ec;
  std::filesystem::create_directories(paths.dir, ec);
  if (ec) {
    throw CommandError(ExitCode::kStoreError,
                       fmt::format("{}: cannot create the experiment directory: {}",
                                   paths.dir.string(), ec.message()));
  }
  store::ExperimentLock held = lock(paths.dir);
  if (std::filesystem::exists(paths.events())) {
    throw CommandError(
        ExitCode::kStoreError,
        fmt::format("{} already holds an experiment; continue it with `tuneq resume {}` or "
                    "choose another --dir",
                    paths.dir.string(), paths.dir.string()));
  }
  std::unique_ptr<store::SqliteStore> store;
  try {
    store = store::SqliteStore::create(paths.events(), spec.to_json());
  } catch (const Error& e) {
    throw CommandError(ExitCode::kStoreError, e.what());
  }
  std::filesystem::copy_file(o.spec_path, paths.spec_copy(),
                             std::filesystem::copy_options::overwrite_existing, ec);
  if (!o.quiet) {
    fmt::print("tuneq: running {} from {} in {}\n", spec.name, o.spec_path, paths.dir.string());
  }
  return run_experiment(spec, paths, *store, {}, RunSettings{o.quiet});
}

ExitCode run_resume(const RunOptions& o) {
  ExperimentPaths paths;
  paths.dir = o.dir;
  if (!std::filesystem::exists(paths.events())) {
    throw CommandError(
        ExitCode::kStoreError,
        fmt::format("{} is not a tuneq experiment (no events.db in it)", paths.dir.string()));
  }
  store::ExperimentLock held = lock(paths.dir);
  std::unique_ptr<store::SqliteStore> store;
  spec::ExperimentSpec spec;
  std::vector<Event> history;
  try {
    store = store::SqliteStore::open(paths.events());
    spec = spec::from_json(store->meta("spec"));
    history = store->read_all();
  } catch (const Error& e) {
    throw CommandError(ExitCode::kStoreError, e.what());
  }
  std::optional<std::string> simulated;  // `tuneq simulate --dir` marks its store
  try {
    simulated = store->meta("simulated");
  } catch (const Error& e) {
    if (!e.IsNotFound()) throw CommandError(ExitCode::kStoreError, e.what());
  }
  if (simulated) {
    throw CommandError(ExitCode::kStoreError,
                       fmt::format("{} holds a simulated experiment ({}); it cannot be resumed "
                                   "with real trials",
                                   paths.dir.string(), *simulated));
  }
  if (!o.quiet) {
    fmt::print("tuneq: resuming {} in {} after {} events\n", spec.name, paths.dir.string(),
               history.size());
  }
  try {
    return run_experiment(spec, paths, *store, history, RunSettings{o.quiet});
  } catch (const Error& e) {
    if (e.IsCorruption()) throw CommandError(ExitCode::kStoreError, e.what());
    throw;
  }
}

}  // namespace

void register_run(CLI::App& app, Action& action) {
  auto o = std::make_shared<RunOptions>();
  CLI::App* sub = app.add_subcommand("run", "Run an experiment from its spec");
  sub->add_option("spec", o->spec_path, "experiment spec (YAML)")->required();
  sub->add_option("--dir", o->dir, "experiment directory (default ./tuneq-runs/<name>)");
  sub->add_option("--seed", o->seed, "searcher seed (overrides TUNEQ_SEED and the spec)");
  sub->add_flag("-q,--quiet", o->quiet, "no progress display");
  sub->callback([o, &action] { action = [o] { return run_new(*o); }; });
}

void register_resume(CLI::App& app, Action& action) {
  auto o = std::make_shared<RunOptions>();
  CLI::App* sub = app.add_subcommand("resume", "Continue an interrupted experiment exactly");
  sub->add_option("dir", o->dir, "experiment directory")->required();
  sub->add_flag("-q,--quiet", o->quiet, "no progress display");
  sub->callback([o, &action] { action = [o] { return run_resume(*o); }; });
}

}  // namespace tuneq::cli
