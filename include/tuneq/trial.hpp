// tuneq/trial.hpp: the trial side of tuneq's process protocol for C++ training programs.
// Header-only, standard library only (no tuneq library to link). docs/protocol.md has the
// protocol; python/tuneq_trial.py is the Python twin.
//
//   #include "tuneq/trial.hpp"
//   namespace tt = tuneq::trial;
//   const double lr = tt::config_float("lr", 0.1);  // the default is used when not run by tuneq
//   int start = 0;
//   if (auto from = tt::restore_dir()) start = load(*from);
//   for (int epoch = start + 1; epoch <= 20; ++epoch) {
//     const double loss = train_one_epoch(lr);
//     const std::filesystem::path ckpt = tt::checkpoint_dir();  // a fresh ckpt-<n> directory
//     save(ckpt, epoch);
//     if (tt::report({{"epoch", epoch}, {"loss", loss}}, ckpt) != "continue") return 0;
//   }
//
// report() writes `@tuneq {"epoch":3,"loss":0.41,"checkpoint":"ckpt-3"}` to stdout (flushed), then
// reads tuneq's answer from stdin: "continue", "pause" or "stop"; on pause/stop, save (if not done
// yet) and exit with status 0 soon: tuneq sends SIGTERM after its stop grace period. Doubles are
// written in shortest round-trip form; NaN and infinities as null (JSON has no NaN), which tuneq
// records as NaN. Outside tuneq (TUNEQ_TRIAL_ID unset) report() prints the line and returns
// "continue" without reading stdin. At EOF on stdin under tuneq (the tuner died) it returns
// "stop", so an orphaned trial ends instead of training on unobserved.
//
// Limitation: the config reader understands what tuneq writes to TUNEQ_CONFIG, a flat JSON
// object of numbers, strings and bools. Nested values are skipped, not readable.
// Not thread-safe: call report() from one thread.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace tuneq::trial {
namespace detail {

// One scalar of a flat JSON object: a string (decoded), or the raw text of a number, true,
// false or null.
struct JsonScalar {
  bool is_string = false;
  std::string text;
};

inline void skip_blanks(std::string_view json, std::size_t& i) {
  while (i < json.size() &&
         (json[i] == ' ' || json[i] == '\t' || json[i] == '\n' || json[i] == '\r')) {
    ++i;
  }
}

inline void append_utf8(std::string& out, unsigned code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

inline unsigned read_hex4(std::string_view json, std::size_t& i) {
  if (i + 4 > json.size()) throw std::invalid_argument("truncated \\u escape");
  unsigned code = 0;
  const auto [end, ec] = std::from_chars(json.data() + i, json.data() + i + 4, code, 16);
  if (ec != std::errc() || end != json.data() + i + 4) {
    throw std::invalid_argument("bad \\u escape");
  }
  i += 4;
  return code;
}

// Reads the JSON string starting at json[i] == '"'; leaves i after its closing quote.
inline std::string read_string(std::string_view json, std::size_t& i) {
  std::string out;
  for (++i; i < json.size(); ++i) {
    const char c = json[i];
    if (c == '"') {
      ++i;
      return out;
    }
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i >= json.size()) break;
    switch (json[i]) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'u': {
        ++i;
        unsigned code = read_hex4(json, i);
        if (code >= 0xD800 && code < 0xDC00 && i + 1 < json.size() && json[i] == '\\' &&
            json[i + 1] == 'u') {  // a surrogate pair
          i += 2;
          code = 0x10000 + ((code - 0xD800) << 10) + (read_hex4(json, i) - 0xDC00);
        }
        append_utf8(out, code);
        --i;
        break;
      }
      default:
        out += json[i];  // \" \\ \/
    }
  }
  throw std::invalid_argument("unterminated string");
}

// Skips one value of any kind (nested ones included) starting at json[i].
inline JsonScalar read_value(std::string_view json, std::size_t& i) {
  if (i < json.size() && json[i] == '"') return {true, read_string(json, i)};
  const std::size_t start = i;
  int depth = 0;
  while (i < json.size()) {
    const char c = json[i];
    if (c == '"') {
      read_string(json, i);
      continue;
    }
    if (c == '{' || c == '[') ++depth;
    if (c == '}' || c == ']') {
      if (depth == 0) break;
      --depth;
    }
    if (c == ',' && depth == 0) break;
    ++i;
  }
  std::string_view text = json.substr(start, i - start);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n' || text.back() == '\t' ||
                           text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return {false, std::string(text)};
}

// The value of `name` in a flat JSON object, or nullopt. Throws std::invalid_argument when the
// text is not a JSON object.
inline std::optional<JsonScalar> find_in_object(std::string_view json, std::string_view name) {
  std::size_t i = 0;
  skip_blanks(json, i);
  if (i >= json.size() || json[i] != '{') throw std::invalid_argument("not a JSON object");
  ++i;
  while (true) {
    skip_blanks(json, i);
    if (i < json.size() && json[i] == '}') return std::nullopt;
    if (i >= json.size() || json[i] != '"') throw std::invalid_argument("expected a key");
    const std::string key = read_string(json, i);
    skip_blanks(json, i);
    if (i >= json.size() || json[i] != ':') throw std::invalid_argument("expected ':'");
    ++i;
    skip_blanks(json, i);
    JsonScalar value = read_value(json, i);
    if (key == name) return value;
    skip_blanks(json, i);
    if (i < json.size() && json[i] == ',') ++i;
  }
}

inline void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
      out += escaped;
    } else {
      out += c;
    }
  }
  out += '"';
}

inline void append_json_number(std::string& out, double value) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, ec == std::errc() ? end : buffer);
}

// The report line, "@tuneq {...}\n": metrics in the given order, then the checkpoint as given.
inline std::string format_report(const std::vector<std::pair<std::string, double>>& metrics,
                                 const std::optional<std::string>& checkpoint) {
  std::string line = "@tuneq {";
  for (const auto& [name, value] : metrics) {
    if (line.back() != '{') line += ',';
    append_json_string(line, name);
    line += ':';
    append_json_number(line, value);
  }
  if (checkpoint) {
    if (line.back() != '{') line += ',';
    line += "\"checkpoint\":";
    append_json_string(line, *checkpoint);
  }
  line += "}\n";
  return line;
}

inline const char* env_or_null(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : nullptr;
}

[[noreturn]] inline void wrong_type(std::string_view name, const char* wanted) {
  throw std::invalid_argument("tuneq: config value '" + std::string(name) + "' is not " + wanted);
}

}  // namespace detail

// True when run by tuneq's process executor.
inline bool under_tuneq() {
  return detail::env_or_null("TUNEQ_TRIAL_ID") != nullptr;
}

// The trial's config as JSON (TUNEQ_CONFIG); "{}" outside tuneq.
inline std::string config_json() {
  const char* json = detail::env_or_null("TUNEQ_CONFIG");
  return json != nullptr ? json : "{}";
}

// The config value `name`: a string's text, or a number/bool as JSON text ("0.1", "true").
inline std::optional<std::string> config_value(std::string_view name) {
  std::optional<detail::JsonScalar> value = detail::find_in_object(config_json(), name);
  if (!value) return std::nullopt;
  return std::move(value->text);
}

// Typed lookups: `fallback` when the config has no such value; std::invalid_argument when it has
// one of another type. An int parameter reads fine as a float.
inline double config_float(std::string_view name, double fallback) {
  const std::optional<detail::JsonScalar> v = detail::find_in_object(config_json(), name);
  if (!v) return fallback;
  double out = 0;
  const char* end = v->text.data() + v->text.size();
  const auto [ptr, ec] = std::from_chars(v->text.data(), end, out);
  if (v->is_string || ec != std::errc() || ptr != end) detail::wrong_type(name, "a number");
  return out;
}

inline long long config_int(std::string_view name, long long fallback) {
  const std::optional<detail::JsonScalar> v = detail::find_in_object(config_json(), name);
  if (!v) return fallback;
  long long out = 0;
  const char* end = v->text.data() + v->text.size();
  const auto [ptr, ec] = std::from_chars(v->text.data(), end, out);
  if (v->is_string || ec != std::errc() || ptr != end) detail::wrong_type(name, "an integer");
  return out;
}

inline std::string config_string(std::string_view name, std::string fallback) {
  std::optional<detail::JsonScalar> v = detail::find_in_object(config_json(), name);
  if (!v) return fallback;
  if (!v->is_string) detail::wrong_type(name, "a string");
  return std::move(v->text);
}

inline bool config_bool(std::string_view name, bool fallback) {
  const std::optional<detail::JsonScalar> v = detail::find_in_object(config_json(), name);
  if (!v) return fallback;
  if (v->is_string || (v->text != "true" && v->text != "false")) {
    detail::wrong_type(name, "a bool");
  }
  return v->text == "true";
}

// The trial's id; nullopt outside tuneq.
inline std::optional<long long> trial_id() {
  const char* id = detail::env_or_null("TUNEQ_TRIAL_ID");
  if (id == nullptr) return std::nullopt;
  return std::strtoll(id, nullptr, 10);
}

// The trial's directory (absolute; also the working directory); the current one outside tuneq.
inline std::filesystem::path trial_dir() {
  const char* dir = detail::env_or_null("TUNEQ_TRIAL_DIR");
  return dir != nullptr ? std::filesystem::path(dir) : std::filesystem::current_path();
}

// Creates and returns a directory in the trial directory to save a checkpoint into: `name`, or
// "ckpt-<n>" with n one more than the largest existing ckpt-<n> (a resumed trial never writes
// over the checkpoint it resumed from).
inline std::filesystem::path checkpoint_dir(const std::string& name = "") {
  const std::filesystem::path base = trial_dir();
  std::string chosen = name;
  if (chosen.empty()) {
    long long largest = 0;
    for (const auto& entry : std::filesystem::directory_iterator(base)) {
      const std::string file = entry.path().filename().string();
      long long n = 0;
      const char* end = file.data() + file.size();
      if (file.starts_with("ckpt-") && file.size() > 5) {
        const auto [ptr, ec] = std::from_chars(file.data() + 5, end, n);
        if (ec == std::errc() && ptr == end && n > largest) largest = n;
      }
    }
    chosen = "ckpt-" + std::to_string(largest + 1);
  }
  const std::filesystem::path dir = base / chosen;
  std::filesystem::create_directories(dir);
  return dir;
}

// The checkpoint directory to resume from; nullopt on a fresh start.
inline std::optional<std::filesystem::path> restore_dir() {
  const char* dir = detail::env_or_null("TUNEQ_RESTORE");
  if (dir == nullptr) return std::nullopt;
  return std::filesystem::path(dir);
}

// Reports metrics (and the checkpoint directory saved for this step) and returns tuneq's answer:
// "continue", "pause" or "stop".
inline std::string report(const std::vector<std::pair<std::string, double>>& metrics,
                          const std::optional<std::filesystem::path>& checkpoint = {}) {
  std::optional<std::string> named;
  if (checkpoint) {  // relative to the trial directory when inside it
    const std::filesystem::path relative = checkpoint->lexically_relative(trial_dir());
    const bool inside = checkpoint->is_absolute() && !relative.empty() && *relative.begin() != "..";
    named = inside ? relative.string() : checkpoint->string();
  }
  const std::string line = detail::format_report(metrics, named);
  std::cout.flush();  // what the program printed before comes first
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
  if (!under_tuneq()) return "continue";
  char answer[64];
  // EOF under tuneq: the tuner is gone (killed); stop rather than train on unobserved.
  if (std::fgets(answer, sizeof answer, stdin) == nullptr) return "stop";
  std::string_view word(answer);
  while (!word.empty() && (word.back() == '\n' || word.back() == '\r')) word.remove_suffix(1);
  if (word == "pause" || word == "stop") return std::string(word);
  return "continue";
}

}  // namespace tuneq::trial
