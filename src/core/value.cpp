#include "tuneq/value.hpp"

#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "core/json_value.hpp"
#include "tuneq/error.hpp"

namespace tuneq {
namespace {

const char* type_name(const Value::Storage& v) {
  switch (v.index()) {
    case 0:
      return "float";
    case 1:
      return "int";
    case 2:
      return "string";
    default:
      return "bool";
  }
}

[[noreturn]] void wrong_type(const Value::Storage& v, const char* wanted) {
  throw Error::InvalidArgument(fmt::format("expected a {} value, got a {}", wanted, type_name(v)));
}

}  // namespace

double Value::as_float() const {
  if (const auto* d = std::get_if<double>(&v_)) return *d;
  if (const auto* i = std::get_if<std::int64_t>(&v_)) return static_cast<double>(*i);
  wrong_type(v_, "float");
}

std::int64_t Value::as_int() const {
  if (const auto* i = std::get_if<std::int64_t>(&v_)) return *i;
  wrong_type(v_, "int");
}

const std::string& Value::as_string() const {
  if (const auto* s = std::get_if<std::string>(&v_)) return *s;
  wrong_type(v_, "string");
}

bool Value::as_bool() const {
  if (const auto* b = std::get_if<bool>(&v_)) return *b;
  wrong_type(v_, "bool");
}

std::string Value::to_json() const {
  return detail::dump(detail::to_json_value(*this));
}

Value Value::from_json(std::string_view json) {
  nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    throw Error::InvalidArgument(fmt::format("not valid JSON: {}", json));
  }
  return detail::from_json_value(j, "value");
}

std::string Value::to_string() const {
  switch (v_.index()) {
    case 0:
      return fmt::format("{}", std::get<double>(v_));
    case 1:
      return fmt::format("{}", std::get<std::int64_t>(v_));
    case 2:
      return std::get<std::string>(v_);
    default:
      return std::get<bool>(v_) ? "true" : "false";
  }
}

std::string config_to_json(const Config& config) {
  return detail::dump(detail::to_json_config(config));
}

Config config_from_json(std::string_view json) {
  nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    throw Error::InvalidArgument(fmt::format("config is not valid JSON: {}", json));
  }
  return detail::from_json_config(j);
}

std::string config_to_string(const Config& config) {
  std::string out;
  for (const auto& [name, value] : config) {
    if (!out.empty()) out += ", ";
    out += name;
    out += '=';
    out += value.to_string();
  }
  return out;
}

namespace detail {

std::string dump(const nlohmann::json& j) {
  try {
    return j.dump();
  } catch (const nlohmann::json::type_error& e) {  // strings that are not valid UTF-8
    throw Error::InvalidArgument(fmt::format("value has no JSON form: {}", e.what()));
  }
}

nlohmann::json to_json_value(const Value& v) {
  const auto& s = v.storage();
  switch (s.index()) {
    case 0: {
      const double d = std::get<double>(s);
      if (!std::isfinite(d)) {
        throw Error::InvalidArgument(fmt::format("{} has no JSON form", d));
      }
      return d;
    }
    case 1:
      return std::get<std::int64_t>(s);
    case 2:
      return std::get<std::string>(s);
    default:
      return std::get<bool>(s);
  }
}

Value from_json_value(const nlohmann::json& j, const std::string& what) {
  switch (j.type()) {
    case nlohmann::json::value_t::number_float:
      return Value(j.get<double>());
    case nlohmann::json::value_t::number_integer:
      return Value(j.get<std::int64_t>());
    case nlohmann::json::value_t::number_unsigned: {
      const auto u = j.get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        throw Error::InvalidArgument(fmt::format("{}: integer {} is out of range", what, u));
      }
      return Value(static_cast<std::int64_t>(u));
    }
    case nlohmann::json::value_t::string:
      return Value(j.get<std::string>());
    case nlohmann::json::value_t::boolean:
      return Value(j.get<bool>());
    default:
      throw Error::InvalidArgument(fmt::format("{}: expected a number, string or bool, got {} ({})",
                                               what, j.type_name(), j.dump()));
  }
}

nlohmann::json to_json_config(const Config& c) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, value] : c) j[name] = to_json_value(value);
  return j;
}

Config from_json_config(const nlohmann::json& j) {
  if (!j.is_object()) {
    throw Error::InvalidArgument(fmt::format("a config must be a JSON object, got {}", j.dump()));
  }
  Config c;
  for (const auto& [name, value] : j.items()) {
    c.emplace(name, from_json_value(value, fmt::format("parameter '{}'", name)));
  }
  return c;
}

}  // namespace detail
}  // namespace tuneq
