#include "spec/experiment_spec.hpp"

#include <algorithm>
#include <climits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "spec/build.hpp"
#include "spec/domain_parser.hpp"
#include "spec/population_keys.hpp"
#include "spec/spec_errors.hpp"
#include "tuneq/error.hpp"
#include "tuneq/process.hpp"

namespace tuneq::spec {
namespace {

using Entries = std::vector<SpecNode>;

const std::vector<std::string> kTopKeys = {
    "name",         "command",   "metric",    "mode",           "resource",       "space",
    "searcher",     "scheduler", "resources", "pool",           "max_concurrent", "budget",
    "max_failures", "trial",     "env",       "checkpoint_keep"};
const std::vector<std::string> kSearcherKeys = {"type", "seed", "num_samples",
                                                "points_to_evaluate"};
const std::vector<std::string> kSearcherTypes = {"random", "grid"};
const std::vector<std::string> kSchedulerTypes = {"fifo",      "median", "asha",
                                                  "hyperband", "pbt",    "pb2"};
const std::vector<std::string> kAshaVariants = {"stopping", "promotion"};
const std::vector<std::string> kModes = {"min", "max"};
// Keys that belong inside a section but are often written at the top level.
const std::vector<std::pair<std::string, std::string>> kSectionOfKey = {
    {"seed", "searcher"},
    {"num_samples", "searcher"},
    {"points_to_evaluate", "searcher"},
    {"max_t", "scheduler"},
    {"grace_period", "scheduler"},
    {"reduction_factor", "scheduler"},
    {"trials", "budget"},
    {"time", "budget"},
    {"time_limit", "trial"},
    {"cpu", "resources"},
    {"gpu", "resources"},
    {"gpus", "pool"}};

const std::vector<std::string>& scheduler_keys(SchedulerType type) {
  static const std::vector<std::string> kFifo = {"type"};
  static const std::vector<std::string> kMedian = {"type", "grace_period", "min_samples_required",
                                                   "min_time_slice", "hard_stop"};
  static const std::vector<std::string> kAsha = {
      "type",     "variant",         "max_t", "grace_period", "reduction_factor",
      "brackets", "stop_last_trials"};
  static const std::vector<std::string> kHyperband = {"type", "max_t", "reduction_factor"};
  static const std::vector<std::string> kPbt = {
      "type",  "perturbation_interval", "burn_in_period",       "quantile_fraction",
      "synch", "resample_probability",  "perturbation_factors", "hyperparam_mutations"};
  static const std::vector<std::string> kPb2 = {"type",           "perturbation_interval",
                                                "burn_in_period", "quantile_fraction",
                                                "synch",          "hyperparam_bounds"};
  switch (type) {
    case SchedulerType::kPbt:
      return kPbt;
    case SchedulerType::kPb2:
      return kPb2;
    case SchedulerType::kMedian:
      return kMedian;
    case SchedulerType::kAsha:
      return kAsha;
    case SchedulerType::kHyperband:
      return kHyperband;
    case SchedulerType::kFifo:
      break;
  }
  return kFifo;
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

const SpecNode* find(const Entries& entries, std::string_view key) {
  for (const auto& e : entries) {
    if (e.key() == key) return &e;
  }
  return nullptr;
}

[[noreturn]] void missing(const SpecNode& map, std::string_view key, std::string_view expected) {
  const std::string path =
      map.path().empty() ? std::string(key) : fmt::format("{}.{}", map.path(), key);
  SpecNode(map.file(), path, YAML::Node(), map.line())
      .fail(fmt::format("required key missing; expected {}", expected));
}

const SpecNode& required(const SpecNode& map, const Entries& entries, std::string_view key,
                         std::string_view expected) {
  const SpecNode* e = find(entries, key);
  if (e == nullptr) missing(map, key, expected);
  return *e;
}

// Index of `given` in `names`, or a located failure "unknown <what> ...".
std::size_t pick(const SpecNode& node, std::string_view what,
                 const std::vector<std::string>& names) {
  const std::string given = node.as_string();
  const auto it = std::find(names.begin(), names.end(), given);
  if (it == names.end()) node.fail(unknown_name_message(what, given, names));
  return static_cast<std::size_t>(it - names.begin());
}

int as_int(const SpecNode& node) {
  const std::uint64_t v = node.as_count();
  if (v > static_cast<std::uint64_t>(INT_MAX)) node.fail("expected a smaller integer");
  return static_cast<int>(v);
}

std::string non_empty_string(const SpecNode& node, std::string_view expected) {
  std::string s = node.as_string();
  if (s.find_first_not_of(" \t") == std::string::npos) {
    node.fail(fmt::format("is empty; expected {}", expected));
  }
  return s;
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

void read_space(const SpecNode& node, ExperimentSpec& spec) {
  for (const auto& e : node.entries("a map of parameter name -> domain, like "
                                    "{lr: loguniform(1e-4, 1e-1)}")) {
    Domain domain = read_domain(e);
    try {
      spec.space.add(e.key(), std::move(domain));
    } catch (const Error& err) {
      e.fail_at_key(err.what());
    }
  }
  if (spec.space.empty()) node.fail("is empty; expected at least one parameter");
}

void check_command(const SpecNode& node, const ExperimentSpec& spec) {
  std::vector<std::string> placeholders;
  try {
    placeholders = command_placeholders(spec.command);
  } catch (const Error& e) {
    node.fail(e.what());
  }
  const auto names = parameter_names(spec.space);
  for (const auto& p : placeholders) {
    if (p == kSpecDirPlaceholder) continue;  // filled in by `tuneq run` (docs/spec.md)
    if (spec.space.find(p) == nullptr) {
      node.fail(fmt::format("{{{}}} is not a parameter of the space; expected one of {}", p,
                            join_names(names)));
    }
  }
}

void read_searcher(const SpecNode* node, ExperimentSpec& spec) {
  SearcherSpec& s = spec.searcher;
  const auto& params = spec.space.params();
  const bool has_grid_axis = std::any_of(params.begin(), params.end(),
                                         [](const Space::Param& p) { return p.domain.is_grid(); });
  s.type = has_grid_axis ? SearcherType::kGrid : SearcherType::kRandom;
  const SpecNode* type = nullptr;
  const SpecNode* num_samples = nullptr;
  Entries entries;                             // outlives the pointers into it
  if (node != nullptr && node->is_scalar()) {  // shorthand: "searcher: grid"
    type = node;
  } else if (node != nullptr) {
    entries = node->entries(kSearcherKeys, "a map like {type: random, seed: 7}");
    type = find(entries, "type");
    if (const auto* e = find(entries, "seed")) s.seed = e->as_count();
    num_samples = find(entries, "num_samples");
    if (const auto* e = find(entries, "points_to_evaluate")) {
      for (const auto& item : e->items("a list of maps like [{lr: 0.01, hidden: 64}]")) {
        s.points_to_evaluate.push_back(read_point(item, spec.space));
      }
    }
  }
  if (type != nullptr) s.type = static_cast<SearcherType>(pick(*type, "searcher", kSearcherTypes));
  if (s.type == SearcherType::kGrid) s.num_samples = 1;
  if (num_samples != nullptr) s.num_samples = num_samples->as_count(s.type == SearcherType::kGrid);
}

// Options that belong to the experiment, not the scheduler.
void reject_misplaced(const SpecNode& e) {
  const std::string key = e.key();
  if (key == "metric" || key == "mode") {
    e.fail_at_key(
        fmt::format("not a scheduler option: the {} is set once for the experiment; "
                    "expected the top-level '{}' key",
                    key, key));
  }
  if (key == "time_attr") {
    e.fail_at_key(
        "not a scheduler option: the resource is set once for the experiment; "
        "expected the top-level 'resource' key");
  }
}

void read_scheduler(const SpecNode* node, ExperimentSpec& spec) {
  SchedulerSpec& s = spec.scheduler;
  s.asha.mode = s.hyperband.mode = s.median.mode = s.pbt.mode = s.pb2.mode = spec.mode;
  if (node == nullptr) return;
  if (node->is_scalar()) {  // shorthand: "scheduler: asha"
    s.type = static_cast<SchedulerType>(pick(*node, "scheduler", kSchedulerTypes));
    return;
  }
  const Entries entries = node->entries("a map like {type: asha, max_t: 27}");
  for (const auto& e : entries) reject_misplaced(e);
  if (const auto* type = find(entries, "type")) {
    s.type = static_cast<SchedulerType>(pick(*type, "scheduler", kSchedulerTypes));
  }
  const auto& allowed = scheduler_keys(s.type);
  for (const auto& e : entries) {
    if (contains(allowed, e.key())) continue;
    const bool other_scheduler_option =
        contains(scheduler_keys(SchedulerType::kMedian), e.key()) ||
        contains(scheduler_keys(SchedulerType::kAsha), e.key()) ||
        contains(scheduler_keys(SchedulerType::kHyperband), e.key()) ||
        contains(scheduler_keys(SchedulerType::kPbt), e.key()) ||
        contains(scheduler_keys(SchedulerType::kPb2), e.key());
    if (!other_scheduler_option) e.fail_at_key(unknown_key_message(e.key(), allowed));
    e.fail_at_key(fmt::format("not an option of the {} scheduler; expected one of {}",
                              to_string(s.type), join_names(allowed)));
  }
  for (const auto& e : entries) {
    const std::string key = e.key();
    if (s.type == SchedulerType::kAsha) {
      if (key == "variant")
        s.asha_variant = static_cast<AshaVariant>(pick(e, "variant", kAshaVariants));
      if (key == "max_t") s.asha.max_t = e.as_number();
      if (key == "grace_period") s.asha.grace_period = e.as_number();
      if (key == "reduction_factor") s.asha.reduction_factor = e.as_number();
      if (key == "brackets") s.asha.brackets = as_int(e);
      if (key == "stop_last_trials") s.asha.stop_last_trials = e.as_bool();
    } else if (s.type == SchedulerType::kHyperband) {
      if (key == "max_t") s.hyperband.max_t = e.as_number();
      if (key == "reduction_factor") s.hyperband.reduction_factor = e.as_number();
    } else if (s.type == SchedulerType::kPbt) {
      read_pbt_option(e, spec);
    } else if (s.type == SchedulerType::kPb2) {
      read_pb2_option(e, spec);
    } else if (s.type == SchedulerType::kMedian) {
      if (key == "grace_period") s.median.grace_period = e.as_number();
      if (key == "min_samples_required") s.median.min_samples_required = e.as_count();
      if (key == "min_time_slice") s.median.min_time_slice = e.as_number();
      if (key == "hard_stop") s.median.hard_stop = e.as_bool();
    }
  }
  // The scheduler's own factory is the one authority on its options' ranges. Its message names
  // the option; the error points at that option's line when it was written.
  try {
    make_scheduler(spec);
  } catch (const Error& err) {
    const std::string message = err.what();
    const SpecNode* culprit = node;
    std::size_t first = std::string::npos;
    for (const auto& e : entries) {
      const std::size_t at = message.find(e.key());
      if (e.key() != "type" && at < first) culprit = &e, first = at;
    }
    culprit->fail(message);
  }
}

void read_budget(const SpecNode& node, Budget& budget) {
  for (const auto& e : node.entries({"trials", "time", "total_resource", "target"},
                                    "a map like {trials: 100, time: 30m}")) {
    const std::string key = e.key();
    if (key == "trials") budget.max_trials = e.as_count(/*positive=*/true);
    if (key == "total_resource") budget.max_total_resource = e.as_positive_number();
    if (key == "target") budget.metric_target = e.as_number();
    if (key == "time") {
      budget.max_time = e.as_duration();
      if (!(*budget.max_time > 0)) e.fail("expected a duration > 0, like 30m");
    }
  }
}

void read_trial(const SpecNode& node, TrialSpec& trial) {
  for (const auto& e : node.entries({"time_limit", "stop_grace", "kill_grace"},
                                    "a map like {time_limit: 2h, stop_grace: 10s}")) {
    const double seconds = e.as_duration();
    if (e.key() == "time_limit") {
      if (!(seconds > 0)) e.fail("expected a duration > 0 (leave time_limit out for no limit)");
      trial.time_limit = seconds;
    }
    if (e.key() == "stop_grace") trial.stop_grace = seconds;
    if (e.key() == "kill_grace") trial.kill_grace = seconds;
  }
}

void read_resources(const SpecNode& node, ExperimentSpec& spec) {
  for (const auto& e : node.entries({"cpu", "gpu"}, "a map like {cpu: 1, gpu: 0}")) {
    (e.key() == "cpu" ? spec.resources.cpu : spec.resources.gpu) = as_int(e);
  }
}

void read_pool(const SpecNode& node, PoolSpec& pool) {
  for (const auto& e : node.entries({"cpu", "gpus"}, "a map like {cpu: 8, gpus: [0, 1]}")) {
    if (e.key() == "cpu") pool.cpu = as_int(e);
    if (e.key() != "gpus") continue;
    for (const auto& item : e.items("a list of GPU indices like [0, 1]")) {
      const int gpu = as_int(item);
      if (std::find(pool.gpus.begin(), pool.gpus.end(), gpu) != pool.gpus.end()) {
        item.fail(fmt::format("GPU {} is listed twice; expected each index once", gpu));
      }
      pool.gpus.push_back(gpu);
    }
  }
}

void read_env(const SpecNode& node, std::map<std::string, std::string>& env) {
  for (const auto& e : node.entries("a map of variable name -> value, like {OMP_NUM_THREADS: 1}")) {
    const std::string name = e.key();
    const bool valid = !name.empty() && !(name[0] >= '0' && name[0] <= '9') &&
                       std::all_of(name.begin(), name.end(),
                                   [](char c) { return is_name_char(c) && c != '.' && c != '-'; });
    if (!valid) {
      e.fail_at_key(
          "not a valid environment variable name; expected letters, digits and '_', "
          "not starting with a digit");
    }
    env[name] = e.as_string();
  }
}

}  // namespace

ExperimentSpec parse_spec(std::string_view text, const std::string& filename) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    throw Error::InvalidArgument(fmt::format("{}:{}:{}: YAML syntax error: {}", filename,
                                             e.mark.line + 1, e.mark.column + 1, e.msg));
  }
  const SpecNode doc = SpecNode::Root(filename, root);
  if (doc.is_null()) {
    doc.fail(
        "the spec is empty; expected a map with at least name, command, metric, mode and "
        "space");
  }
  const char* shape = "a map of keys like name, command, metric, mode, space";
  for (const auto& entry : doc.entries(shape)) {
    for (const auto& [key, section] : kSectionOfKey) {
      if (entry.key() == key) {
        entry.fail_at_key(
            fmt::format("not a top-level key; expected it inside {}, like {}: {{{}: ...}}", section,
                        section, key));
      }
    }
  }
  const Entries top = doc.entries(kTopKeys, shape);
  ExperimentSpec spec;
  spec.source = filename;

  const SpecNode& name = required(doc, top, "name", "a name like digits-mlp");
  spec.name = non_empty_string(name, "a name like digits-mlp");
  if (!std::all_of(spec.name.begin(), spec.name.end(), is_name_char)) {
    name.fail(
        fmt::format("'{}' has characters other than letters, digits, '.', '_' and '-'; "
                    "expected a name like digits-mlp",
                    spec.name));
  }
  const SpecNode& command =
      required(doc, top, "command", "the trial command, like python3 train.py --lr {lr}");
  spec.command = non_empty_string(command, "the trial command, like python3 train.py --lr {lr}");
  spec.metric = non_empty_string(required(doc, top, "metric", "the report key to optimise"),
                                 "the report key to optimise, like val_loss");
  const SpecNode& mode = required(doc, top, "mode", "min or max");
  const std::string mode_text = mode.as_string();
  if (mode_text != "min" && mode_text != "max") {
    mode.fail(fmt::format("expected min or max, got '{}'{}", mode_text,
                          did_you_mean_suffix(mode_text, kModes)));
  }
  spec.mode = mode_text == "min" ? Mode::kMin : Mode::kMax;
  if (const auto* e = find(top, "resource")) spec.resource = e->as_string();
  read_space(required(doc, top, "space", "a map of parameter name -> domain"), spec);
  check_command(command, spec);
  read_searcher(find(top, "searcher"), spec);
  try {
    make_searcher(spec);  // the searcher's own checks (e.g. a grid too large)
  } catch (const Error& err) {
    const SpecNode* searcher = find(top, "searcher");
    (searcher != nullptr ? *searcher : doc).fail(err.what());
  }
  read_scheduler(find(top, "scheduler"), spec);
  if (const auto* e = find(top, "resources")) read_resources(*e, spec);
  if (const auto* e = find(top, "pool")) read_pool(*e, spec.pool);
  if (const auto* e = find(top, "max_concurrent")) spec.max_concurrent = e->as_count();
  if (const auto* e = find(top, "budget")) read_budget(*e, spec.budget);
  if (const auto* e = find(top, "max_failures")) spec.max_failures = as_int(*e);
  if (const auto* e = find(top, "trial")) read_trial(*e, spec.trial);
  if (const auto* e = find(top, "env")) read_env(*e, spec.env);
  if (const auto* e = find(top, "checkpoint_keep")) spec.checkpoint_keep = e->as_count();
  if (spec.scheduler.type == SchedulerType::kPbt || spec.scheduler.type == SchedulerType::kPb2) {
    const SpecNode* scheduler = find(top, "scheduler");
    if (!spec.budget.max_trials && spec.searcher.num_samples == 0) {
      scheduler->fail(
          fmt::format("the {} scheduler needs a fixed population; expected budget.trials or "
                      "searcher.num_samples to be set",
                      to_string(spec.scheduler.type)));
    }
  }
  return spec;
}

}  // namespace tuneq::spec
