#include "store/export.hpp"

#include <algorithm>

#include <set>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace tuneq::store {

namespace {

using Json = nlohmann::ordered_json;

Json config_json(const Config& config) {
  Json j = Json::object();
  for (const auto& [name, value] : config) {
    switch (value.storage().index()) {
      case 0:
        j[name] = value.as_float();
        break;
      case 1:
        j[name] = value.as_int();
        break;
      case 2:
        j[name] = value.as_string();
        break;
      default:
        j[name] = value.as_bool();
        break;
    }
  }
  return j;
}

Json result_json(const ResultRow& result) {
  Json j = Json::object();
  j["resource"] = result.resource;
  for (const auto& [name, value] : result.metrics) {
    j[name == "resource" || name == "time" ? "metric/" + name : name] = value;
  }
  j["time"] = result.time;
  return j;
}

Json trial_json(const TrialRow& trial) {
  Json j = Json::object();
  j["id"] = trial.id;
  j["config"] = config_json(trial.config);
  j["status"] = trial.status;
  Json results = Json::array();
  for (const ResultRow& result : trial.results) results.push_back(result_json(result));
  j["results"] = std::move(results);
  Json decisions = Json::array();
  for (const DecisionRow& d : trial.decisions) {
    decisions.push_back(Json{{"action", d.action}, {"resource", d.resource}, {"reason", d.reason}});
  }
  j["decisions"] = std::move(decisions);
  j["checkpoint"] = trial.checkpoint ? Json(*trial.checkpoint) : Json(nullptr);
  j["failures"] = trial.failures;
  j["error"] = trial.error;
  // The configs it effectively trained under, from which resource on (PBT's lineage).
  Json schedule = Json::array();
  for (const ScheduleStep& step : trial.schedule) {
    Json s = Json::object();
    s["resource"] = step.resource;
    s["config"] = config_json(step.config);
    s["cloned_from"] = step.cloned_from ? Json(*step.cloned_from) : Json(nullptr);
    schedule.push_back(std::move(s));
  }
  j["schedule"] = std::move(schedule);
  return j;
}

// RFC 4180: quote a field holding a separator, quote or line break; double the quotes.
void append_csv_field(std::string& line, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    line += field;
    return;
  }
  line += '"';
  for (char c : field) {
    if (c == '"') line += '"';
    line += c;
  }
  line += '"';
}

std::string number(double value) {
  return fmt::format("{}", value);
}

// A PBT lineage in one cell: "0: lr=0.1; 4 from trial 0: lr=0.12" (resource at which each step
// began, the trial whose checkpoint it cloned, the config it trained under from there).
std::string schedule_cell(const ConfigSchedule& schedule) {
  std::string cell;
  for (const ScheduleStep& step : schedule) {
    if (!cell.empty()) cell += "; ";
    cell += number(step.resource);
    if (step.cloned_from) cell += fmt::format(" from trial {}", *step.cloned_from);
    cell += ": " + config_to_string(step.config);
  }
  return cell;
}

}  // namespace

std::string export_json(const TrialTable& table) {
  Json all = Json::array();
  for (const auto& [id, trial] : table.trials()) all.push_back(trial_json(trial));
  // Invalid UTF-8 (a crashed trial's log tail in "error") is replaced, never thrown.
  return all.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string export_csv(const TrialTable& table, const std::string& metric, Mode mode) {
  std::set<std::string> config_names;
  for (const auto& [id, trial] : table.trials()) {
    for (const auto& [name, value] : trial.config) config_names.insert(name);
  }

  // Only experiments where some trial's config changed (PBT, PB2) get the schedule column.
  const bool schedules = std::any_of(table.trials().begin(), table.trials().end(),
                                     [](const auto& t) { return t.second.schedule.size() > 1; });

  std::string out;
  std::vector<std::string> header = {"id", "status"};
  for (const std::string& name : config_names) header.push_back("config/" + name);
  header.insert(header.end(), {"resource", "last_" + metric, "best_" + metric, "num_results"});
  if (schedules) header.emplace_back("schedule");
  const auto append_row = [&out](const std::vector<std::string>& fields) {
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (i > 0) out += ',';
      append_csv_field(out, fields[i]);
    }
    out += '\n';
  };
  append_row(header);

  for (const auto& [id, trial] : table.trials()) {
    std::vector<std::string> row = {std::to_string(id), trial.status};
    for (const std::string& name : config_names) {
      const auto it = trial.config.find(name);
      row.push_back(it == trial.config.end() ? "" : it->second.to_string());
    }
    row.push_back(trial.results.empty() ? "" : number(trial.resource_reached()));
    const std::optional<double> last = trial.last_value(metric);
    row.push_back(last ? number(*last) : "");
    const std::optional<std::size_t> best = trial.best_result(metric, mode);
    row.push_back(best ? number(trial.results[*best].metrics.at(metric)) : "");
    row.push_back(std::to_string(trial.results.size()));
    if (schedules) row.push_back(schedule_cell(trial.schedule));
    append_row(row);
  }
  return out;
}

}  // namespace tuneq::store
