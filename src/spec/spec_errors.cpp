#include "spec/spec_errors.hpp"
#include "spec/text.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "spec/duration.hpp"
#include "tuneq/error.hpp"

namespace tuneq::spec {
namespace {

// Prefix matches are only offered for names sharing this many leading characters, so that "m"
// does not suggest "metric".
constexpr std::size_t kMinPrefix = 3;
constexpr std::size_t kMaxDistance = 2;

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

using text::is_digit;
using text::trim;

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_digit(c)) return false;
  }
  return true;
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? — YAML 1.2 core float, sign stripped.
bool is_decimal(std::string_view s) {
  const std::size_t e = s.find_first_of("eE");
  const std::string_view mantissa = s.substr(0, e);
  if (e != std::string_view::npos) {
    std::string_view exponent = s.substr(e + 1);
    if (!exponent.empty() && (exponent.front() == '+' || exponent.front() == '-')) {
      exponent.remove_prefix(1);
    }
    if (!all_digits(exponent)) return false;
  }
  const std::size_t dot = mantissa.find('.');
  if (dot == std::string_view::npos) return all_digits(mantissa);
  const std::string_view whole = mantissa.substr(0, dot);
  const std::string_view fraction = mantissa.substr(dot + 1);
  return (whole.empty() || all_digits(whole)) && (fraction.empty() || all_digits(fraction)) &&
         !(whole.empty() && fraction.empty());
}

bool is_one_of(std::string_view s, std::initializer_list<std::string_view> options) {
  for (auto o : options) {
    if (s == o) return true;
  }
  return false;
}

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // One row of the dynamic programme: row[j] = distance(a[0..i), b[0..j)).
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];  // distance(a[0..i-1), b[0..j-1))
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t substitute = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitute});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::optional<std::string> did_you_mean(std::string_view given,
                                        const std::vector<std::string>& candidates) {
  // Case is ignored: "MIN" means "min".
  const auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return out;
  };
  const std::string given_lower = lower(given);
  const std::string* best = nullptr;
  std::size_t best_distance = kMaxDistance + 1;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(given_lower, lower(c));
    // A distance as long as the word is a different word, not a typo ("x" vs "q").
    if (d < best_distance && d < std::max(given.size(), c.size())) best = &c, best_distance = d;
  }
  if (best != nullptr) return *best;
  if (given.size() < kMinPrefix) return std::nullopt;
  for (const auto& c : candidates) {
    const std::string c_lower = lower(c);
    if (c.size() >= kMinPrefix &&
        (starts_with(c_lower, given_lower) || starts_with(given_lower, c_lower))) {
      return c;
    }
  }
  return std::nullopt;
}

std::string did_you_mean_suffix(std::string_view given,
                                const std::vector<std::string>& candidates) {
  const auto guess = did_you_mean(given, candidates);
  return guess ? fmt::format(" (did you mean '{}'?)", *guess) : std::string();
}

std::string join_names(const std::vector<std::string>& names) {
  return fmt::format("{}", fmt::join(names, ", "));
}

std::string unknown_name_message(std::string_view what, std::string_view given,
                                 const std::vector<std::string>& candidates) {
  return fmt::format("unknown {} '{}'; expected one of {}{}", what, given, join_names(candidates),
                     did_you_mean_suffix(given, candidates));
}

std::string unknown_key_message(std::string_view given,
                                const std::vector<std::string>& candidates) {
  const std::string suffix = did_you_mean_suffix(given, candidates);
  if (!suffix.empty()) return "unknown key" + suffix;
  return "unknown key; expected one of " + join_names(candidates);
}

std::string format_spec_error(std::string_view file, int line, std::string_view key,
                              std::string_view message) {
  std::string out(file);
  if (line > 0) out += fmt::format(":{}", line);
  out += ": ";
  if (!key.empty()) out += fmt::format("{}: ", key);
  out += message;
  return out;
}

std::optional<Value> plain_scalar_value(std::string_view text) {
  const std::string_view s = trim(text);
  if (is_one_of(s, {"", "~", "null", "Null", "NULL"})) return std::nullopt;
  if (is_one_of(s, {"true", "True", "TRUE"})) return Value(true);
  if (is_one_of(s, {"false", "False", "FALSE"})) return Value(false);
  const bool negative = !s.empty() && s.front() == '-';
  std::string_view unsigned_part = s;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) unsigned_part.remove_prefix(1);
  if (all_digits(unsigned_part)) {
    const std::string digits = (negative ? "-" : "") + std::string(unsigned_part);
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (ec != std::errc() || end != digits.data() + digits.size()) {
      throw Error::InvalidArgument(fmt::format("'{}' does not fit a 64-bit integer", s));
    }
    return Value(v);
  }
  if (is_decimal(unsigned_part)) {
    const std::string number = (negative ? "-" : "") + std::string(unsigned_part);
    double v = 0;
    const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), v);
    if (ec != std::errc() || end != number.data() + number.size()) {
      throw Error::InvalidArgument(fmt::format("'{}' does not fit a double", s));
    }
    return Value(v);
  }
  if (is_one_of(unsigned_part, {".inf", ".Inf", ".INF", "inf", "Inf", "INF"})) {
    return Value(negative ? -std::numeric_limits<double>::infinity()
                          : std::numeric_limits<double>::infinity());
  }
  if (is_one_of(s, {".nan", ".NaN", ".NAN", "nan", "NaN", "NAN"})) {
    return Value(std::numeric_limits<double>::quiet_NaN());
  }
  return Value(std::string(s));
}

Value SpecNode::as_value() const {
  if (is_null()) fail("expected a value (a number, string or bool), got nothing");
  if (!is_scalar()) {
    fail("expected a value (a number, string or bool), got " + describe());
  }
  const std::string& tag = node_.Tag();
  if (tag == "!" || tag == "tag:yaml.org,2002:str") return Value(node_.Scalar());
  std::optional<Value> v;
  try {
    v = plain_scalar_value(node_.Scalar());
  } catch (const Error& e) {
    fail(e.what());
  }
  if (!v) fail("expected a value (a number, string or bool), got null");
  return *v;
}

int yaml_line(const YAML::Node& node) {
  if (!node.IsDefined()) return 0;
  const YAML::Mark mark = node.Mark();
  return mark.is_null() || mark.line < 0 ? 0 : mark.line + 1;
}

SpecNode::SpecNode(std::string file, std::string path, YAML::Node node, int line, int key_line,
                   std::optional<std::string> key)
    : file_(std::move(file)),
      path_(std::move(path)),
      key_(key ? std::move(*key) : path_.substr(path_.rfind('.') + 1)),
      node_(std::move(node)),
      line_(line),
      key_line_(key_line > 0 ? key_line : line) {}

SpecNode SpecNode::Root(std::string file, YAML::Node root) {
  const int line = std::max(1, yaml_line(root));
  return SpecNode(std::move(file), "", std::move(root), line);
}

void SpecNode::fail(std::string_view message) const {
  throw Error::InvalidArgument(format_spec_error(file_, line_, path_, message));
}

void SpecNode::fail_at_key(std::string_view message) const {
  throw Error::InvalidArgument(format_spec_error(file_, key_line_, path_, message));
}

std::string SpecNode::describe() const {
  if (is_null()) return "nothing";
  if (is_map()) return "a map";
  if (is_list()) return "a list";
  return fmt::format("'{}'", node_.Scalar());
}

std::vector<SpecNode> SpecNode::entries(std::string_view shape) const {
  if (!is_map()) fail(fmt::format("expected {}, got {}", shape, describe()));
  std::vector<SpecNode> out;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    const YAML::Node key = it->first;  // a copy: the iterator hands out a temporary pair
    const int key_at = yaml_line(key) > 0 ? yaml_line(key) : line_;
    const std::string name = key.IsScalar() ? key.Scalar() : std::string();
    const std::string path = path_.empty() ? name : path_ + "." + name;
    if (!key.IsScalar()) {
      SpecNode(file_, path_, key, key_at)
          .fail("a key must be a plain name, got " + SpecNode(file_, "", key, 0).describe());
    }
    for (const auto& seen : out) {
      if (seen.key() == name) {
        SpecNode(file_, path, key, key_at)
            .fail(fmt::format("duplicate key (first given at line {})", seen.key_line()));
      }
    }
    // A missing value has no line of its own (yaml-cpp marks the next token): use the key's.
    const YAML::Node value = it->second;
    const int value_at = value.IsNull() || yaml_line(value) == 0 ? key_at : yaml_line(value);
    out.emplace_back(file_, path, value, value_at, key_at, name);
  }
  return out;
}

std::vector<SpecNode> SpecNode::entries(const std::vector<std::string>& allowed,
                                        std::string_view shape) const {
  std::vector<SpecNode> out = entries(shape);
  for (const auto& e : out) {
    if (std::find(allowed.begin(), allowed.end(), e.key()) == allowed.end()) {
      e.fail_at_key(unknown_key_message(e.key(), allowed));
    }
  }
  return out;
}

std::vector<SpecNode> SpecNode::items(std::string_view shape) const {
  if (!is_list()) fail(fmt::format("expected {}, got {}", shape, describe()));
  std::vector<SpecNode> out;
  for (std::size_t i = 0; i < node_.size(); ++i) {
    const YAML::Node item = node_[i];
    const int at = yaml_line(item) > 0 && !item.IsNull() ? yaml_line(item) : line_;
    out.emplace_back(file_, fmt::format("{}[{}]", path_, i), item, at);
  }
  return out;
}

std::string SpecNode::as_string() const {
  if (!is_scalar()) fail(fmt::format("expected a string, got {}", describe()));
  return node_.Scalar();
}

std::optional<Value> SpecNode::scalar_number() const {
  if (!is_scalar()) return std::nullopt;
  try {
    auto v = plain_scalar_value(node_.Scalar());
    if (v && v->is_number() && std::isfinite(v->as_float())) return v;
  } catch (const Error& e) {
    fail(e.what());  // an integer too large
  }
  return std::nullopt;
}

std::uint64_t SpecNode::as_count(bool positive) const {
  const char* expected = positive ? "a positive integer" : "a non-negative integer";
  const auto v = scalar_number();
  if (!v || !v->is_int() || v->as_int() < (positive ? 1 : 0)) {
    fail(fmt::format("expected {}, got {}", expected, describe()));
  }
  return static_cast<std::uint64_t>(v->as_int());
}

std::int64_t SpecNode::as_integer() const {
  const auto v = scalar_number();
  if (!v || !v->is_int()) fail(fmt::format("expected an integer, got {}", describe()));
  return v->as_int();
}

double SpecNode::as_number() const {
  const auto v = scalar_number();
  if (!v) fail(fmt::format("expected a number, got {}", describe()));
  return v->as_float();
}

double SpecNode::as_positive_number() const {
  const auto v = scalar_number();
  if (!v || !(v->as_float() > 0)) fail(fmt::format("expected a number > 0, got {}", describe()));
  return v->as_float();
}

bool SpecNode::as_bool() const {
  if (is_scalar()) {
    const std::string& s = node_.Scalar();
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
  }
  fail(fmt::format("expected true or false, got {}", describe()));
}

double SpecNode::as_duration() const {
  if (!is_scalar())
    fail(fmt::format("expected a duration like 90s, 30m, 2h or 1h30m, got {}", describe()));
  try {
    return parse_duration(node_.Scalar());
  } catch (const Error& e) {
    fail(e.what());
  }
}

}  // namespace tuneq::spec
