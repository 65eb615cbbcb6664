// Error messages of the experiment spec, and the located YAML node every reader of the spec uses.
//
// Every spec error is an Error::InvalidArgument whose message reads
//   <file>:<line>: <key path>: <what is wrong>; <what is expected>
// e.g. "experiment.yaml:9: scheduler.type: unknown scheduler 'ashaa'; expected one of fifo,
// median, asha, hyperband (did you mean 'asha'?)". The key path names the key from the top of
// the document ("scheduler.max_t", "pool.gpus[1]", "searcher.points_to_evaluate[0].lr").
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "tuneq/value.hpp"

namespace tuneq::spec {

// Levenshtein distance: insertions, deletions and substitutions each cost 1.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate the user most likely meant by `given`: the one at the smallest edit distance
// when that distance is <= 2 (ties: the earlier candidate), else the first candidate that starts
// with `given` or that `given` starts with (prefix matches need at least 3 characters in common).
// nullopt when nothing is close.
std::optional<std::string> did_you_mean(std::string_view given,
                                        const std::vector<std::string>& candidates);

// " (did you mean 'asha'?)", or "" when nothing is close.
std::string did_you_mean_suffix(std::string_view given, const std::vector<std::string>& candidates);

// "fifo, median, asha, hyperband".
std::string join_names(const std::vector<std::string>& names);

// "unknown scheduler 'ashaa'; expected one of fifo, median, asha, hyperband (did you mean
// 'asha'?)" — `what` names the kind of thing ("scheduler", "domain").
std::string unknown_name_message(std::string_view what, std::string_view given,
                                 const std::vector<std::string>& candidates);

// "unknown key (did you mean 'metric'?)" when a candidate is close, else
// "unknown key; expected one of name, command, ...".
std::string unknown_key_message(std::string_view given, const std::vector<std::string>& candidates);

// "<file>:<line>: <key>: <message>"; a line <= 0 is left out ("<file>: <key>: ..."), and so is an
// empty key.
std::string format_spec_error(std::string_view file, int line, std::string_view key,
                              std::string_view message);

// One node of a spec being read, with where it came from: the file, its key path and its
// 1-based line. Readers fail through it so that every message carries the location.
class SpecNode {
 public:
  // `key` defaults to the path's last component; map entries pass their key itself, which may
  // contain dots.
  SpecNode(std::string file, std::string path, YAML::Node node, int line, int key_line = 0,
           std::optional<std::string> key = std::nullopt);

  // The document's root (path "", line of the root node or 1).
  static SpecNode Root(std::string file, YAML::Node root);

  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }
  const YAML::Node& yaml() const { return node_; }
  int line() const { return line_; }
  // The line of the key this node is the value of (its own line for list items and the root).
  int key_line() const { return key_line_; }
  // The key of a map entry ("max_t" for "scheduler.max_t").
  const std::string& key() const { return key_; }

  bool is_null() const { return !node_.IsDefined() || node_.IsNull(); }
  bool is_scalar() const { return node_.IsScalar(); }
  bool is_map() const { return node_.IsMap(); }
  bool is_list() const { return node_.IsSequence(); }
  // The scalar's text. REQUIRES: is_scalar().
  const std::string& text() const { return node_.Scalar(); }
  // True for a plain (unquoted, untagged) scalar, whose text is read by YAML's core types.
  bool is_plain() const { return node_.Tag() == "?"; }

  // Throws Error::InvalidArgument "<file>:<line>: <path>: <message>".
  [[noreturn]] void fail(std::string_view message) const;
  // Same, at the line of this node's key (for problems with the key itself).
  [[noreturn]] void fail_at_key(std::string_view message) const;

  // The entries of a map in document order. Fails unless this is a map (`shape` says what was
  // expected, e.g. "a map like {cpu: 1, gpu: 0}"), on a duplicate key, and on a key not in
  // `allowed` (with did-you-mean).
  std::vector<SpecNode> entries(const std::vector<std::string>& allowed,
                                std::string_view shape) const;
  // Same without the check of allowed keys.
  std::vector<SpecNode> entries(std::string_view shape) const;
  // The items of a list. Fails unless this is a list.
  std::vector<SpecNode> items(std::string_view shape) const;

  // Typed scalars. Each fails with "expected <what>, got '<text>'" (or "got a map"/"got a list").
  std::string as_string() const;                        // any scalar, its text
  std::uint64_t as_count(bool positive = false) const;  // non-negative (or positive) integer
  std::int64_t as_integer() const;                      // any integer
  double as_number() const;                             // finite int or float
  double as_positive_number() const;                    // finite, > 0
  bool as_bool() const;                                 // true or false
  double as_duration() const;                           // seconds; see duration.hpp
  // A value that keeps its YAML type: quoted or !!str is a string, a plain scalar is read by
  // plain_scalar_value. Fails on null, maps and lists.
  Value as_value() const;

  // "a map", "a list", "'<text>'" or "nothing": what this node is, for "got ..." messages.
  std::string describe() const;

 private:
  std::optional<Value> scalar_number() const;  // a finite int or float scalar, else nullopt

  std::string file_;
  std::string path_;
  std::string key_;
  YAML::Node node_;
  int line_;
  int key_line_;
};

// A plain (unquoted) scalar read by YAML 1.2's core schema, decimal only: nullopt for null
// ("", "~", "null"), a bool for true/false (also True, TRUE, ...), an int for [-+]?[0-9]+, a
// float for decimals, exponents and [-+].inf/.nan (also inf/nan), else the text as a string.
// Throws Error::InvalidArgument for an integer that does not fit 64 bits.
std::optional<Value> plain_scalar_value(std::string_view text);

// 1-based line of a YAML node, or 0 when it has none.
int yaml_line(const YAML::Node& node);

}  // namespace tuneq::spec
