// The experiment spec: what `tuneq run experiment.yaml` reads. docs/spec.md is the reference for
// every key; this struct holds the parsed, validated and defaulted result.
//
// Errors: every problem with a spec is an Error::InvalidArgument whose message names the file,
// the line and the key and says what was expected, e.g.
//   experiment.yaml:9: scheduler.type: unknown scheduler 'ashaa'; expected one of fifo, median,
//   asha, hyperband (did you mean 'asha'?)
// A YAML syntax error reads "experiment.yaml:4:12: YAML syntax error: ..."; a missing file is
// an Error::NotFound naming it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tuneq/executor.hpp"
#include "tuneq/result.hpp"
#include "tuneq/scheduler.hpp"
#include "tuneq/space.hpp"
#include "tuneq/tuner.hpp"
#include "tuneq/value.hpp"

namespace tuneq::spec {

// A placeholder every command may use besides the space's parameters: the absolute directory of
// the spec file, so that `command: python3 {spec_dir}/train.py` works from any trial directory.
// `tuneq run` replaces it when the experiment starts (the stored spec holds the path).
inline constexpr const char* kSpecDirPlaceholder = "spec_dir";

enum class SearcherType : std::uint8_t { kRandom, kGrid };
enum class SchedulerType : std::uint8_t { kFifo, kMedian, kAsha, kHyperband, kPbt, kPb2 };
enum class AshaVariant : std::uint8_t { kStopping, kPromotion };

// "random", "grid"; "fifo", "median", "asha", "hyperband", "pbt", "pb2"; "stopping", "promotion".
const char* to_string(SearcherType type);
const char* to_string(SchedulerType type);
const char* to_string(AshaVariant variant);
// "min", "max".
const char* mode_name(Mode mode);

struct SearcherSpec {
  // Default: kGrid when the space has a grid axis, else kRandom.
  SearcherType type = SearcherType::kRandom;
  std::uint64_t seed = 0;
  // Configs to draw: for random 0 means unbounded (the budget ends the experiment); for grid, how
  // many times the grid is crossed with fresh random draws of the other axes (default 1).
  std::uint64_t num_samples = 0;
  // Configs tried first, in order; a point may leave parameters out (they are drawn).
  std::vector<Config> points_to_evaluate;
};

// The scheduler and its options. Only the options of `type` are used; the others keep their
// defaults. Every option struct's `mode` is the experiment's top-level mode (make_scheduler sets
// it again from ExperimentSpec::mode, which wins).
struct SchedulerSpec {
  SchedulerType type = SchedulerType::kFifo;
  AshaVariant asha_variant = AshaVariant::kStopping;
  AshaOptions asha;
  HyperbandOptions hyperband;
  MedianStoppingOptions median;
  PbtOptions pbt;  // seed: make_scheduler takes the searcher's
  Pb2Options pb2;  // seed: make_scheduler takes the searcher's
};

// The slots trials share.
struct PoolSpec {
  int cpu = 0;            // cpu slots; 0: "auto", the number of CPUs (the CLI fills it in)
  std::vector<int> gpus;  // GPU indices trials may be given; empty: none
};

// How one trial's process is run and ended (process executor).
struct TrialSpec {
  std::optional<double> time_limit;  // seconds per launch before it is killed as failed; none
  double stop_grace = 10;            // seconds a trial told to pause/stop may take before SIGTERM
  double kill_grace = 5;             // seconds after SIGTERM before SIGKILL
};

struct ExperimentSpec {
  std::string source;  // the file the spec was read from ("" when built in code)

  std::string name;     // [A-Za-z0-9._-]+, names the experiment directory
  std::string command;  // trial command; {name} is replaced by the config's value
  std::string metric;   // report key of the objective
  Mode mode = Mode::kMin;
  std::string resource;  // report key measuring progress; "": number of reports
  Space space;           // in the order written
  SearcherSpec searcher;
  SchedulerSpec scheduler;
  Resources resources;  // what each trial occupies (cpu 1, gpu 0)
  PoolSpec pool;
  std::size_t max_concurrent = 0;  // 0: as many as the pool fits
  Budget budget;                   // trials, time (seconds), total_resource, target
  int max_failures = 0;            // retries of a failed trial from its checkpoint
  TrialSpec trial;
  std::map<std::string, std::string> env;  // extra environment for every trial
  std::size_t checkpoint_keep = 0;         // checkpoints kept per trial; 0: all

  // Canonical JSON of the whole spec: every key in a fixed order, defaults written out,
  // durations in seconds, domains in their structured form, and the source. Stored in the event
  // log; from_json reads it back to an equal spec.
  std::string to_json() const;
};

// Reads and validates the spec in `path`. Throws Error::NotFound when the file does not exist,
// Error::Io when it cannot be read, Error::InvalidArgument for anything wrong inside it.
ExperimentSpec load_spec(const std::filesystem::path& path);

// Parses and validates spec text; `filename` is what messages name (and becomes `source`).
ExperimentSpec parse_spec(std::string_view text, const std::string& filename);

// The spec to_json wrote. Throws Error::Corruption when the text is not such a spec.
ExperimentSpec from_json(const std::string& json);

}  // namespace tuneq::spec
