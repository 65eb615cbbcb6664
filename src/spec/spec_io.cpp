// Reading and writing whole specs: load_spec (a file), and ExperimentSpec <-> canonical JSON. The
// JSON is itself a valid spec (JSON is YAML), so from_json reads it back through parse_spec and a
// stored spec is validated exactly like a written one.
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "spec/domain_parser.hpp"
#include "spec/experiment_spec.hpp"
#include "tuneq/error.hpp"

namespace tuneq::spec {
namespace {

using Json = nlohmann::ordered_json;

// The name messages give a stored spec that has no source file.
constexpr const char* kStoredSpec = "<stored spec>";

Json config_json(const Config& config) {
  Json j = Json::object();
  for (const auto& [name, value] : config) j[name] = value_to_json(value);
  return j;
}

Json scheduler_json(const SchedulerSpec& s) {
  Json j;
  j["type"] = to_string(s.type);
  switch (s.type) {
    case SchedulerType::kAsha:
      j["variant"] = to_string(s.asha_variant);
      j["max_t"] = s.asha.max_t;
      j["grace_period"] = s.asha.grace_period;
      j["reduction_factor"] = s.asha.reduction_factor;
      j["brackets"] = s.asha.brackets;
      j["stop_last_trials"] = s.asha.stop_last_trials;
      break;
    case SchedulerType::kHyperband:
      j["max_t"] = s.hyperband.max_t;
      j["reduction_factor"] = s.hyperband.reduction_factor;
      break;
    case SchedulerType::kMedian:
      j["grace_period"] = s.median.grace_period;
      j["min_samples_required"] = s.median.min_samples_required;
      j["min_time_slice"] = s.median.min_time_slice;
      j["hard_stop"] = s.median.hard_stop;
      break;
    case SchedulerType::kPbt: {
      const PbtOptions& o = s.pbt;
      j["perturbation_interval"] = o.perturbation_interval;
      j["burn_in_period"] = o.burn_in_period;
      j["quantile_fraction"] = o.quantile_fraction;
      j["resample_probability"] = o.resample_probability;
      j["perturbation_factors"] = o.perturbation_factors;
      j["synch"] = o.synch;
      Json mutations = Json::object();
      for (const auto& [name, m] : o.hyperparam_mutations) {
        if (m.domain) {
          mutations[name] = domain_to_json(*m.domain);
        } else {
          Json values = Json::array();
          for (const Value& v : m.values) values.push_back(value_to_json(v));
          mutations[name] = std::move(values);
        }
      }
      j["hyperparam_mutations"] = std::move(mutations);
      break;
    }
    case SchedulerType::kPb2: {
      const Pb2Options& o = s.pb2;
      j["perturbation_interval"] = o.perturbation_interval;
      j["burn_in_period"] = o.burn_in_period;
      j["quantile_fraction"] = o.quantile_fraction;
      j["synch"] = o.synch;
      Json bounds = Json::object();
      for (const auto& [name, b] : o.hyperparam_bounds) bounds[name] = {b.first, b.second};
      j["hyperparam_bounds"] = std::move(bounds);
      break;
    }
    case SchedulerType::kFifo:
      break;
  }
  return j;
}

Json budget_json(const Budget& b) {
  Json j = Json::object();
  if (b.max_trials) j["trials"] = *b.max_trials;
  if (b.max_time) j["time"] = *b.max_time;
  if (b.max_total_resource) j["total_resource"] = *b.max_total_resource;
  if (b.metric_target) j["target"] = *b.metric_target;
  return j;
}

}  // namespace

const char* to_string(SearcherType type) {
  return type == SearcherType::kGrid ? "grid" : "random";
}

const char* to_string(SchedulerType type) {
  switch (type) {
    case SchedulerType::kMedian:
      return "median";
    case SchedulerType::kAsha:
      return "asha";
    case SchedulerType::kHyperband:
      return "hyperband";
    case SchedulerType::kPbt:
      return "pbt";
    case SchedulerType::kPb2:
      return "pb2";
    case SchedulerType::kFifo:
      break;
  }
  return "fifo";
}

const char* to_string(AshaVariant variant) {
  return variant == AshaVariant::kPromotion ? "promotion" : "stopping";
}

const char* mode_name(Mode mode) {
  return mode == Mode::kMax ? "max" : "min";
}

std::string ExperimentSpec::to_json() const {
  Json j;
  j["name"] = name;
  j["command"] = command;
  j["metric"] = metric;
  j["mode"] = mode_name(mode);
  j["resource"] = resource;
  Json params = Json::object();
  for (const auto& p : space.params()) params[p.name] = domain_to_json(p.domain);
  j["space"] = std::move(params);
  Json points = Json::array();
  for (const auto& point : searcher.points_to_evaluate) points.push_back(config_json(point));
  j["searcher"] = {{"type", to_string(searcher.type)},
                   {"seed", searcher.seed},
                   {"num_samples", searcher.num_samples},
                   {"points_to_evaluate", std::move(points)}};
  j["scheduler"] = scheduler_json(scheduler);
  j["resources"] = {{"cpu", resources.cpu}, {"gpu", resources.gpu}};
  j["pool"] = {{"cpu", pool.cpu}, {"gpus", pool.gpus}};
  j["max_concurrent"] = max_concurrent;
  j["budget"] = budget_json(budget);
  j["max_failures"] = max_failures;
  Json trial_json = Json::object();
  if (trial.time_limit) trial_json["time_limit"] = *trial.time_limit;
  trial_json["stop_grace"] = trial.stop_grace;
  trial_json["kill_grace"] = trial.kill_grace;
  j["trial"] = std::move(trial_json);
  Json env_json = Json::object();
  for (const auto& [key, value] : env) env_json[key] = value;
  j["env"] = std::move(env_json);
  j["checkpoint_keep"] = checkpoint_keep;
  j["source"] = source;
  try {
    return j.dump();
  } catch (const Json::exception& e) {  // invalid UTF-8 in a string
    throw Error::InvalidArgument(fmt::format("the spec cannot be written as JSON: {}", e.what()));
  }
}

ExperimentSpec from_json(const std::string& json) {
  Json j = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    throw Error::Corruption("the stored experiment spec is not a JSON object");
  }
  std::string source;
  if (const auto it = j.find("source"); it != j.end()) {
    if (!it->is_string()) throw Error::Corruption("the stored experiment spec has a bad source");
    source = it->get<std::string>();
    j.erase(it);
  }
  try {
    // Indented, so that every key sits on its own line in messages.
    ExperimentSpec spec = parse_spec(j.dump(1), kStoredSpec);
    spec.source = source;
    return spec;
  } catch (const Error& e) {
    throw Error::Corruption(fmt::format("the stored experiment spec is not valid: {}", e.what()));
  }
}

ExperimentSpec load_spec(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    throw Error::NotFound(fmt::format("experiment spec '{}' not found", path.string()));
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in || std::filesystem::is_directory(path, ec)) {
    throw Error::Io(fmt::format("cannot read experiment spec '{}'", path.string()));
  }
  return parse_spec(text.str(), path.string());
}

}  // namespace tuneq::spec
