// Config values: the small variant a hyperparameter can take, and a config (name -> value).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>

namespace tuneq {

// A hyperparameter value: float (double), int (64-bit), string or bool.
// JSON round-trip is exact: a double is written with enough digits to read back bit-identical and
// always carries a '.' or exponent ("1.0"), so it never comes back as an int; ints stay ints.
// Non-finite doubles have no JSON form and are rejected by to_json.
class Value {
 public:
  using Storage = std::variant<double, std::int64_t, std::string, bool>;

  Value() : v_(0.0) {}
  Value(double d) : v_(d) {}                          // NOLINT: implicit on purpose
  Value(std::int64_t i) : v_(i) {}                    // NOLINT
  Value(int i) : v_(static_cast<std::int64_t>(i)) {}  // NOLINT
  Value(std::string s) : v_(std::move(s)) {}          // NOLINT
  Value(const char* s) : v_(std::string(s)) {}        // NOLINT
  Value(bool b) : v_(b) {}                            // NOLINT

  bool is_float() const { return std::holds_alternative<double>(v_); }
  bool is_int() const { return std::holds_alternative<std::int64_t>(v_); }
  bool is_string() const { return std::holds_alternative<std::string>(v_); }
  bool is_bool() const { return std::holds_alternative<bool>(v_); }
  bool is_number() const { return is_float() || is_int(); }

  // REQUIRES: the matching is_*() is true (else throws Error::InvalidArgument).
  double as_float() const;  // also accepts an int, converted
  std::int64_t as_int() const;
  const std::string& as_string() const;
  bool as_bool() const;

  const Storage& storage() const { return v_; }

  // JSON text of this value alone, e.g. 0.1, 3, "adam", true.
  std::string to_json() const;
  static Value from_json(std::string_view json);  // throws Error::InvalidArgument

  // Human-readable form for tables and reasons: 0.1, 3, adam, true.
  std::string to_string() const;

  friend bool operator==(const Value& a, const Value& b) = default;
  // Total order (by type index first) so values can key maps and grid axes sort deterministically.
  friend bool operator<(const Value& a, const Value& b) { return a.v_ < b.v_; }

 private:
  Storage v_;
};

// A configuration: parameter name -> value. Ordered by name so iteration is deterministic.
using Config = std::map<std::string, Value>;

// JSON object text of a config, keys sorted; and back. from_json throws Error::InvalidArgument.
std::string config_to_json(const Config& config);
Config config_from_json(std::string_view json);

// "lr=0.01, hidden=64" for tables and messages.
std::string config_to_string(const Config& config);

}  // namespace tuneq
