// Conversions between tuneq values/configs and nlohmann::json, shared by the core and the store.
#pragma once

#include <nlohmann/json.hpp>

#include "tuneq/value.hpp"

namespace tuneq::detail {

// Throws Error::InvalidArgument for non-finite doubles (JSON has no NaN/inf).
nlohmann::json to_json_value(const Value& v);
// Throws Error::InvalidArgument for null, arrays, objects and out-of-range integers; `what`
// names the value in the message (e.g. "parameter 'lr'").
Value from_json_value(const nlohmann::json& j, const std::string& what);

nlohmann::json to_json_config(const Config& c);

// j.dump(), with invalid UTF-8 in strings reported as Error::InvalidArgument.
std::string dump(const nlohmann::json& j);
Config from_json_config(const nlohmann::json& j);

}  // namespace tuneq::detail
