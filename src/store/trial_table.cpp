#include "store/trial_table.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/json_value.hpp"
#include "tuneq/error.hpp"

namespace tuneq::store {

namespace {

using Json = nlohmann::json;

// Reads one event's payload; every complaint names the event.
class Payload {
 public:
  explicit Payload(const Event& event) : event_(event) {
    try {
      json_ = Json::parse(event.data);
    } catch (const Json::exception& e) {
      throw corrupt(fmt::format("data is not JSON ({})", e.what()));
    }
    if (!json_.is_object()) throw corrupt("data is not a JSON object");
  }

  Error corrupt(std::string_view what) const {
    return Error::Corruption(fmt::format("event seq {} ({} of trial {}): {}", event_.seq,
                                         to_string(event_.kind), event_.trial, what));
  }

  const Json& at(const char* key) const {
    const auto it = json_.find(key);
    if (it == json_.end()) throw corrupt(fmt::format("missing key \"{}\"", key));
    return *it;
  }
  const Json* find(const char* key) const {
    const auto it = json_.find(key);
    return it == json_.end() ? nullptr : &*it;
  }

  // A number; null stands for a non-finite value (JSON has none) and reads as NaN.
  double number(const char* key) const { return as_number(at(key), key); }
  double as_number(const Json& j, std::string_view what) const {
    if (j.is_number()) return j.get<double>();
    if (j.is_null()) return std::numeric_limits<double>::quiet_NaN();
    throw corrupt(fmt::format("\"{}\" is not a number", what));
  }
  int integer(const char* key) const {
    const Json& j = at(key);
    if (!j.is_number_integer()) throw corrupt(fmt::format("\"{}\" is not an integer", key));
    const auto value = j.get<std::int64_t>();
    if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max()) {
      throw corrupt(fmt::format("\"{}\" is out of range", key));
    }
    return static_cast<int>(value);
  }
  std::string string(const char* key) const {
    const Json& j = at(key);
    if (!j.is_string()) throw corrupt(fmt::format("\"{}\" is not a string", key));
    return j.get<std::string>();
  }

 private:
  const Event& event_;
  Json json_;
};

Config read_config(const Payload& payload) {
  try {
    return detail::from_json_config(payload.at("config"));
  } catch (const Error& e) {
    if (e.IsCorruption()) throw;
    throw payload.corrupt(fmt::format("bad config: {}", e.what()));
  }
}

Metrics read_metrics(const Payload& payload) {
  const Json& j = payload.at("metrics");
  if (!j.is_object()) throw payload.corrupt("\"metrics\" is not an object");
  Metrics metrics;
  for (const auto& [name, value] : j.items()) {
    metrics.emplace(name, payload.as_number(value, name));
  }
  return metrics;
}

void apply(TrialRow& trial, const Event& event, const Payload& payload) {
  switch (event.kind) {
    case Event::Kind::kTrialAdded:
      break;  // handled by fold
    case Event::Kind::kStarted:
      payload.at("cpu");
      payload.at("gpus");
      payload.at("restore");
      trial.status = "running";
      if (std::isnan(trial.started_at)) trial.started_at = event.time;
      break;
    case Event::Kind::kResult:
      trial.results.push_back(
          {event.seq, event.time, payload.number("resource"), read_metrics(payload)});
      break;
    case Event::Kind::kDecision:
      trial.decisions.push_back({event.seq, payload.string("action"), payload.number("resource"),
                                 payload.string("reason")});
      break;
    case Event::Kind::kCheckpoint:
      payload.number("resource");
      trial.checkpoint = payload.string("checkpoint");
      break;
    case Event::Kind::kPaused:
      trial.status = "paused";
      break;
    case Event::Kind::kResumed:
      payload.at("restore");
      trial.status = "running";
      break;
    case Event::Kind::kFinished: {
      std::string status = payload.string("status");
      if (status != "completed" && status != "stopped") {
        throw payload.corrupt(
            fmt::format("\"status\" is \"{}\", not completed or stopped", status));
      }
      trial.status = std::move(status);
      trial.ended_at = event.time;
      break;
    }
    case Event::Kind::kFailed: {
      trial.exit_code = payload.integer("exit_code");
      trial.error = payload.string("error");
      trial.failures = payload.integer("attempt");
      bool final_failure = true;
      if (const Json* final_key = payload.find("final")) {
        if (!final_key->is_boolean()) throw payload.corrupt("\"final\" is not a boolean");
        final_failure = final_key->get<bool>();
      }
      if (final_failure) {
        trial.status = "failed";
        trial.ended_at = event.time;
      } else {
        trial.status = "pending";
      }
      break;
    }
    case Event::Kind::kNoMoreTrials:
      break;  // skipped by fold()
    case Event::Kind::kExploit:
      payload.number("resource");
      payload.at("source");
      trial.config = read_config(payload);
      trial.checkpoint = payload.string("checkpoint");
      ++trial.exploits;
      break;
  }
}

}  // namespace

double TrialRow::resource_reached() const {
  double reached = 0;
  for (const ResultRow& r : results) reached = std::max(reached, r.resource);
  return reached;
}

std::optional<double> TrialRow::last_value(const std::string& metric) const {
  for (auto it = results.rbegin(); it != results.rend(); ++it) {
    const auto found = it->metrics.find(metric);
    if (found != it->metrics.end()) return found->second;
  }
  return std::nullopt;
}

std::optional<std::size_t> TrialRow::best_result(const std::string& metric, Mode mode) const {
  std::optional<std::size_t> best;
  double best_value = 0;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto found = results[i].metrics.find(metric);
    if (found == results[i].metrics.end()) continue;
    if (!best || better(mode, found->second, best_value)) {
      best = i;
      best_value = found->second;
    }
  }
  return best;
}

const TrialRow* TrialTable::find(TrialId id) const {
  const auto it = trials_.find(id);
  return it == trials_.end() ? nullptr : &it->second;
}

std::optional<BestResult> TrialTable::best(const std::string& metric, Mode mode) const {
  std::optional<BestResult> best;
  for (const auto& [id, trial] : trials_) {
    const std::optional<std::size_t> index = trial.best_result(metric, mode);
    if (!index) continue;
    const ResultRow& result = trial.results[*index];
    const double value = result.metrics.at(metric);
    // Trials are visited by id, not by time: an equal value wins only if it came earlier.
    if (!best || better(mode, value, best->value) ||
        (!better(mode, best->value, value) && result.seq < best->result->seq)) {
      best = BestResult{&trial, &result, value};
    }
  }
  return best;
}

std::map<std::string, std::size_t> TrialTable::counts_by_status() const {
  std::map<std::string, std::size_t> counts;
  for (const auto& [id, trial] : trials_) ++counts[trial.status];
  return counts;
}

TrialTable fold(const std::vector<Event>& events) {
  TrialTable table;
  LineageBuilder lineage;
  for (const Event& event : events) {
    if (event.kind == Event::Kind::kNoMoreTrials) continue;  // about the experiment, not a trial
    const Payload payload(event);
    if (event.kind == Event::Kind::kExploit) {
      const Json& source = payload.at("source");
      if (!source.is_number_unsigned() || !table.trials_.contains(source.get<TrialId>())) {
        throw payload.corrupt("\"source\" is not a trial added before");
      }
    }
    if (event.kind == Event::Kind::kTrialAdded) {
      TrialRow row;
      row.id = event.trial;
      row.config = read_config(payload);
      if (!table.trials_.emplace(event.trial, std::move(row)).second) {
        throw payload.corrupt("the trial was already added");
      }
      continue;
    }
    const auto it = table.trials_.find(event.trial);
    if (it == table.trials_.end()) throw payload.corrupt("no trial_added for this trial before it");
    apply(it->second, event, payload);
  }
  for (const Event& event : events) lineage.apply(event);
  for (auto& [id, schedule] : lineage.schedules()) {
    if (auto it = table.trials_.find(id); it != table.trials_.end()) it->second.schedule = schedule;
  }
  return table;
}

}  // namespace tuneq::store
