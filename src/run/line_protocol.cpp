#include "run/line_protocol.hpp"

#include <limits>

#include <nlohmann/json.hpp>

namespace tuneq::detail {

std::optional<Report> parse_report(std::string_view json, std::string& error) {
  const nlohmann::json parsed = nlohmann::json::parse(json.begin(), json.end(), nullptr,
                                                      /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    error = "not valid JSON";
    return std::nullopt;
  }
  if (!parsed.is_object()) {
    error = "not a JSON object";
    return std::nullopt;
  }
  Report report;
  for (const auto& [key, value] : parsed.items()) {
    if (key == "checkpoint") {
      if (value.is_null()) continue;
      if (!value.is_string() || value.get_ref<const std::string&>().empty()) {
        error = "\"checkpoint\" must be a non-empty string";
        return std::nullopt;
      }
      report.checkpoint = value.get<std::string>();
    } else if (value.is_number()) {
      report.metrics.emplace(key, value.get<double>());
    } else if (value.is_boolean()) {
      report.metrics.emplace(key, value.get<bool>() ? 1.0 : 0.0);
    } else if (value.is_null()) {  // how the helpers write NaN and infinities
      report.metrics.emplace(key, std::numeric_limits<double>::quiet_NaN());
    }
  }
  return report;
}

std::string_view reply_line(Action action) {
  switch (action) {
    case Action::kPause:
      return "pause\n";
    case Action::kStop:
      return "stop\n";
    case Action::kContinue:
      break;
  }
  return "continue\n";
}

}  // namespace tuneq::detail
