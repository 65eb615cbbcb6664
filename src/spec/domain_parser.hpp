// Search-space domains as the experiment spec writes them.
//
//   compact     lr: loguniform(1e-4, 1e-1)      opt: choice([adam, sgd])     batch: grid([32, 64])
//   structured  hidden: {type: choice, values: [32, 64, 128]}
//               dropout: {type: uniform, low: 0.0, high: 0.5}
//   constant    epochs: 10        (a one-value choice: every trial gets 10)
//
// Inside a flow map or list ({...}, [...]) YAML ends a plain scalar at a comma, so a compact
// form there must be quoted: space: {lr: "uniform(0, 1)"}. Quoted or not, text shaped like a
// compact form is read as one; a constant string of that shape needs the structured form.
//
// Compact forms: uniform(low, high), quniform(low, high, q), loguniform(low, high),
// qloguniform(low, high, q), randn(mean, sd), randint(low, high), lograndint(low, high),
// qrandint(low, high, q) (integers only for the three *randint), choice([v, ...]), grid([v, ...]).
// Structured forms name the same arguments as keys: {type: quniform, low, high, q},
// {type: randn, mean, sd}, {type: choice, values: [...]}.
//
// Values keep their YAML type: a plain 32 is an int, 0.5 and 1e-3 and inf are floats, true and
// false are bools, anything else (and anything quoted: "32", '0.5') is a string. The same rules
// read the bare items of a compact list: choice([32, 0.5, true, adam, "64"]).
#pragma once

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "spec/spec_errors.hpp"
#include "tuneq/space.hpp"
#include "tuneq/value.hpp"

namespace tuneq::spec {

// True if `text` has the shape of a compact form: a word followed by a parenthesised list.
bool looks_like_compact_domain(std::string_view text);

// True if `text` is the start of a compact form cut short ("uniform(0"), which is what YAML
// leaves of `{lr: uniform(0, 1)}`: inside a flow map or list, a comma ends a plain scalar.
bool looks_cut_at_comma(std::string_view text);

// The domain a compact form spells. Not validated (see Domain::validate). Throws
// Error::InvalidArgument, without a location, for an unknown name (with did-you-mean), a wrong
// number of arguments, a non-number bound, a non-integer bound of a *randint, or a bad list.
Domain parse_compact_domain(std::string_view text);

// A domain in any of the three forms, validated. Fails with the node's location and key path,
// e.g. "experiment.yaml:7: space.dropout: uniform(0.5, 0.5) is an empty range: low must be <
// high". A YAML list fails with a hint to write choice([...]) or grid([...]).
Domain read_domain(const SpecNode& node);

// A starting point for the searcher: a map of parameter -> value. Fails (located) on a name that
// is not in the space (with did-you-mean) and on a value its domain cannot produce. An int given
// for a float domain becomes a float, so trials see one type per parameter.
Config read_point(const SpecNode& node, const Space& space);

// A value as JSON (a double always with a '.' or exponent, so it reads back as a float).
// Throws Error::InvalidArgument for a non-finite double, which JSON cannot hold.
nlohmann::ordered_json value_to_json(const Value& value);

// The structured form of a domain as JSON: {"type": "choice", "values": [32]}. read_domain reads
// its text back to an identical domain (bounds and values bit for bit).
nlohmann::ordered_json domain_to_json(const Domain& domain);

}  // namespace tuneq::spec
