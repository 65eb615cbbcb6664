#include "spec/domain_parser.hpp"
#include "spec/text.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "tuneq/error.hpp"

namespace tuneq::spec {
namespace {

// One domain kind as the spec spells it: its name and the names of its arguments, in order.
struct Form {
  const char* name;
  Domain::Kind kind;
  std::vector<std::string> args;
  bool integer;  // bounds must be integers (the *randint family)
  bool is_list() const { return kind == Domain::Kind::kChoice || kind == Domain::Kind::kGrid; }
};

const std::vector<Form>& forms() {
  using K = Domain::Kind;
  static const std::vector<Form> kForms = {
      {"uniform", K::kUniform, {"low", "high"}, false},
      {"quniform", K::kQUniform, {"low", "high", "q"}, false},
      {"loguniform", K::kLogUniform, {"low", "high"}, false},
      {"qloguniform", K::kQLogUniform, {"low", "high", "q"}, false},
      {"randn", K::kRandn, {"mean", "sd"}, false},
      {"randint", K::kRandInt, {"low", "high"}, true},
      {"lograndint", K::kLogRandInt, {"low", "high"}, true},
      {"qrandint", K::kQRandInt, {"low", "high", "q"}, true},
      {"choice", K::kChoice, {"values"}, false},
      {"grid", K::kGrid, {"values"}, false},
  };
  return kForms;
}

const std::vector<std::string>& form_names() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names;
    for (const auto& f : forms()) names.emplace_back(f.name);
    return names;
  }();
  return kNames;
}

const Form* find_form(std::string_view name) {
  for (const auto& f : forms()) {
    if (name == f.name) return &f;
  }
  return nullptr;
}

const Form& form_of(Domain::Kind kind) {
  for (const auto& f : forms()) {
    if (f.kind == kind) return f;
  }
  throw Error::InvalidArgument("unknown domain kind");
}

[[noreturn]] void invalid(std::string message) {
  throw Error::InvalidArgument(std::move(message));
}

using text::is_digit;
using text::trim;
bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || is_digit(c);
}

// A value of a choice or grid must survive JSON (the event log stores configs as JSON).
bool is_usable(const Value& v) {
  return !v.is_float() || std::isfinite(v.as_float());
}
std::string unusable_message(const Value& v) {
  return fmt::format("{} is not a usable value; expected finite numbers, strings or bools",
                     v.to_string());
}

// The items of a compact list "1, 'a, b', sgd" (the text between the brackets).
std::vector<Value> parse_list_items(std::string_view text, std::string_view name) {
  std::vector<Value> values;
  if (trim(text).empty()) return values;
  std::size_t i = 0;
  while (true) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    std::optional<Value> item;
    if (i < text.size() && (text[i] == '\'' || text[i] == '"')) {
      const char quote = text[i++];
      std::string s;
      while (true) {
        if (i >= text.size()) invalid(fmt::format("{}: a quoted value is not closed", name));
        const char c = text[i++];
        if (c == quote && quote == '\'' && i < text.size() && text[i] == '\'') {
          s += '\'', ++i;  // '' inside single quotes is one quote
        } else if (c == quote) {
          break;
        } else if (c == '\\' && quote == '"' && i < text.size()) {
          const char e = text[i++];
          s += e == 'n' ? '\n' : e == 't' ? '\t' : e;
        } else {
          s += c;
        }
      }
      item = Value(std::move(s));
      while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
      if (i < text.size() && text[i] != ',') {
        invalid(
            fmt::format("{}: unexpected text after a quoted value: '{}'", name, text.substr(i)));
      }
    } else {
      const std::size_t end = std::min(text.find(',', i), text.size());
      const std::string_view raw = trim(text.substr(i, end - i));
      i = end;
      if (raw.find_first_of("[]{}") != std::string_view::npos) {
        invalid(fmt::format("{}: '{}': lists and maps cannot be values", name, raw));
      }
      if (raw.empty() && i >= text.size() && !values.empty()) break;  // trailing comma
      item = plain_scalar_value(raw);
      if (!item) invalid(fmt::format("{}: empty or null value in the list", name));
    }
    if (!is_usable(*item)) invalid(fmt::format("{}: {}", name, unusable_message(*item)));
    values.push_back(std::move(*item));
    if (i >= text.size()) break;
    ++i;  // the comma
  }
  return values;
}

// Splits "1e-4, 1e-1" at commas.
std::vector<std::string_view> split_arguments(std::string_view text) {
  std::vector<std::string_view> out;
  if (trim(text).empty()) return out;
  while (true) {
    const std::size_t comma = text.find(',');
    out.push_back(trim(text.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

Domain build(Domain::Kind kind, const std::vector<Value>& a) {
  using K = Domain::Kind;
  switch (kind) {
    case K::kUniform:
      return Domain::Uniform(a[0].as_float(), a[1].as_float());
    case K::kQUniform:
      return Domain::QUniform(a[0].as_float(), a[1].as_float(), a[2].as_float());
    case K::kLogUniform:
      return Domain::LogUniform(a[0].as_float(), a[1].as_float());
    case K::kQLogUniform:
      return Domain::QLogUniform(a[0].as_float(), a[1].as_float(), a[2].as_float());
    case K::kRandn:
      return Domain::Randn(a[0].as_float(), a[1].as_float());
    case K::kRandInt:
      return Domain::RandInt(a[0].as_int(), a[1].as_int());
    case K::kLogRandInt:
      return Domain::LogRandInt(a[0].as_int(), a[1].as_int());
    case K::kQRandInt:
      return Domain::QRandInt(a[0].as_int(), a[1].as_int(), a[2].as_int());
    case K::kChoice:
      return Domain::Choice(a);
    case K::kGrid:
      return Domain::Grid(a);
  }
  throw Error::InvalidArgument("unknown domain kind");
}

// An argument of a numeric form: an int for the *randint family, else any number.
Value numeric_argument(const Form& form, const std::string& arg, const std::optional<Value>& v,
                       std::string_view text) {
  if (form.integer && !(v && v->is_int())) {
    invalid(fmt::format("{}: {} must be an integer, got '{}'", form.name, arg, text));
  }
  if (!(v && v->is_number())) {
    invalid(fmt::format("{}: {} must be a number, got '{}'", form.name, arg, text));
  }
  return *v;
}

std::string expected_shape(const Form& form) {
  if (form.is_list()) return fmt::format("{}([a, b, ...])", form.name);
  return fmt::format("{}({})", form.name, join_names(form.args));
}

Domain read_structured(const SpecNode& node) {
  const auto entries = node.entries("a domain map like {type: uniform, low: 0, high: 1}");
  const SpecNode* type = nullptr;
  for (const auto& e : entries) {
    if (e.key() == "type") type = &e;
  }
  if (type == nullptr) {
    SpecNode(node.file(), node.path() + ".type", YAML::Node(), node.line())
        .fail("required key missing; expected one of " + join_names(form_names()));
  }
  const Form* form = find_form(type->as_string());
  if (form == nullptr) type->fail(unknown_name_message("domain", type->text(), form_names()));
  std::vector<std::string> allowed = form->args;
  allowed.insert(allowed.begin(), "type");
  node.entries(allowed, "a domain map");  // fails on a key this type does not take
  std::vector<Value> args;
  for (const auto& arg : form->args) {
    const SpecNode* given = nullptr;
    for (const auto& e : entries) {
      if (e.key() == arg) given = &e;
    }
    if (given == nullptr) {
      SpecNode(node.file(), node.path() + "." + arg, YAML::Node(), node.line())
          .fail(fmt::format("required key missing; expected {}", expected_shape(*form)));
    }
    if (form->is_list()) {
      for (const auto& item : given->items("a list of values like [32, 64]")) {
        Value v = item.as_value();
        if (!is_usable(v)) item.fail(unusable_message(v));
        args.push_back(std::move(v));
      }
      return build(form->kind, args);
    }
    args.push_back(form->integer ? Value(given->as_integer()) : Value(given->as_number()));
  }
  return build(form->kind, args);
}

}  // namespace

bool looks_like_compact_domain(std::string_view text) {
  const std::string_view s = trim(text);
  std::size_t i = 0;
  while (i < s.size() && is_word_char(s[i])) ++i;
  if (i == 0 || is_digit(s[0])) return false;
  while (i < s.size() && s[i] == ' ') ++i;
  return i < s.size() && s[i] == '(' && s.back() == ')';
}

bool looks_cut_at_comma(std::string_view text) {
  const std::string_view s = trim(text);
  const std::size_t open = s.find('(');
  return open != std::string_view::npos && s.find(')') == std::string_view::npos &&
         looks_like_compact_domain(std::string(s) + ")");
}

Domain parse_compact_domain(std::string_view text) {
  if (!looks_like_compact_domain(text)) {
    invalid(fmt::format("expected a domain like uniform(0, 1) or choice([a, b]), got '{}'", text));
  }
  const std::string_view s = trim(text);
  const std::size_t open = s.find('(');
  const std::string_view name = trim(s.substr(0, open));
  const std::string_view inner = trim(s.substr(open + 1, s.size() - open - 2));
  const Form* form = find_form(name);
  if (form == nullptr) invalid(unknown_name_message("domain", name, form_names()));
  if (form->is_list()) {
    if (inner.size() < 2 || inner.front() != '[' || inner.back() != ']') {
      invalid(
          fmt::format("{} takes one list of values, like {}([a, b]); got '{}'", name, name, text));
    }
    return build(form->kind, parse_list_items(inner.substr(1, inner.size() - 2), name));
  }
  const auto texts = split_arguments(inner);
  if (texts.size() != form->args.size()) {
    invalid(fmt::format("{} takes {} arguments ({}), got {}", name, form->args.size(),
                        join_names(form->args), texts.size()));
  }
  std::vector<Value> args;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    args.push_back(numeric_argument(*form, form->args[i], plain_scalar_value(texts[i]), texts[i]));
  }
  return build(form->kind, args);
}

Domain read_domain(const SpecNode& node) {
  if (node.is_null()) {
    node.fail(
        "no domain given; expected a domain like uniform(0, 1) or choice([a, b]), or a "
        "constant value");
  }
  if (node.is_list()) {
    std::vector<std::string> items;
    for (const auto& item : node.items("a list")) {
      items.push_back(item.is_scalar() ? item.text() : "...");
    }
    const std::string list = join_names(items);
    node.fail(
        fmt::format("a list is not a domain; expected choice([{}]) to sample one value per "
                    "trial or grid([{}]) to try every value",
                    list, list));
  }
  if (node.is_plain() && looks_cut_at_comma(node.text())) {
    node.fail(fmt::format(
        "'{}' was cut at a comma: inside {{...}} and [...] YAML splits plain text at commas; "
        "expected the domain in quotes, like \"uniform(0, 1)\", or in block style on its own "
        "line",
        node.text()));
  }
  Domain domain = Domain::Choice({});
  if (node.is_map()) {
    domain = read_structured(node);
  } else if (looks_like_compact_domain(node.text())) {  // quoted too: flow maps need quotes
    try {
      domain = parse_compact_domain(node.text());
    } catch (const Error& e) {
      node.fail(e.what());
    }
  } else {
    Value constant = node.as_value();
    if (!is_usable(constant)) node.fail(unusable_message(constant));
    domain = Domain::Choice({std::move(constant)});
  }
  const std::string name = node.key();
  try {
    domain.validate(name);
  } catch (const Error& e) {
    const std::string prefix = fmt::format("parameter '{}': ", name);
    std::string_view message = e.what();
    if (message.substr(0, prefix.size()) == prefix) message.remove_prefix(prefix.size());
    node.fail(message);
  }
  return domain;
}

// A starting point: parameter values, each one the parameter's domain can produce. An int given
// for a float domain becomes a float, so trials see one type per parameter.
Config read_point(const SpecNode& node, const Space& space) {
  Config point;
  std::vector<std::string> names;
  for (const auto& p : space.params()) names.push_back(p.name);
  for (const auto& e : node.entries("a map of parameter values like {lr: 0.01}")) {
    const Space::Param* param = space.find(e.key());
    if (param == nullptr) {
      e.fail_at_key(fmt::format("not a parameter of the space; expected one of {}{}",
                                join_names(names), did_you_mean_suffix(e.key(), names)));
    }
    Value v = e.as_value();
    const Domain& d = param->domain;
    using K = Domain::Kind;
    const bool float_domain = d.kind() == K::kUniform || d.kind() == K::kQUniform ||
                              d.kind() == K::kLogUniform || d.kind() == K::kQLogUniform ||
                              d.kind() == K::kRandn;
    if (float_domain && v.is_int()) v = Value(v.as_float());
    if (!d.contains(v)) {
      e.fail(fmt::format("{} is not a value of {}; expected a value the domain can produce",
                         v.to_json(), d.to_string()));
    }
    point[e.key()] = std::move(v);
  }
  return point;
}

nlohmann::ordered_json value_to_json(const Value& value) {
  if (value.is_float()) {
    if (!std::isfinite(value.as_float())) {
      invalid(fmt::format("{} has no JSON form", value.to_string()));
    }
    return value.as_float();
  }
  if (value.is_int()) return value.as_int();
  if (value.is_bool()) return value.as_bool();
  return value.as_string();
}

nlohmann::ordered_json domain_to_json(const Domain& domain) {
  const Form& form = form_of(domain.kind());
  nlohmann::ordered_json j;
  j["type"] = form.name;
  if (form.is_list()) {
    auto values = nlohmann::ordered_json::array();
    for (const auto& v : domain.values()) values.push_back(value_to_json(v));
    j["values"] = std::move(values);
    return j;
  }
  const std::array<double, 3> numbers{domain.low(), domain.high(), domain.q()};
  for (std::size_t i = 0; i < form.args.size(); ++i) {
    if (form.integer) {
      j[form.args[i]] = static_cast<std::int64_t>(numbers[i]);
    } else {
      j[form.args[i]] = numbers[i];
    }
  }
  return j;
}

}  // namespace tuneq::spec
