// Search spaces: named domains a config is drawn from.
//
// Bounds and quantisation follow Ray Tune, so users moving over find the same meaning:
//
//   domain                      values drawn                               upper bound
//   uniform(low, high)          float in [low, high)                        exclusive
//   quniform(low, high, q)      round(uniform(low, high) / q) * q           may equal high
//   loguniform(low, high)       exp(uniform(ln low, ln high)); low > 0      exclusive
//   qloguniform(low, high, q)   round(loguniform(low, high) / q) * q        may equal high
//   randn(mean, sd)             normal; sd > 0                              -
//   randint(low, high)          int in [low, high)                          EXCLUSIVE
//   lograndint(low, high)       floor(loguniform(low, high)); low >= 1      EXCLUSIVE
//   qrandint(low, high, q)      a multiple of q in [low, high], all equally likely  INCLUSIVE
//   choice([v...])              one of the values, each equally likely      -
//   grid([v...])                every value, crossed with the other grid axes (not sampled)
//
// Validation (Space::add and the Domain factories throw Error::InvalidArgument naming the
// parameter): an empty range (low >= high; for qrandint low > high), a non-positive log bound,
// q <= 0, sd <= 0, an empty choice or grid, non-finite bounds.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tuneq/value.hpp"

namespace tuneq {

class Rng;

class Domain {
 public:
  enum class Kind {
    kUniform,
    kQUniform,
    kLogUniform,
    kQLogUniform,
    kRandn,
    kRandInt,
    kLogRandInt,
    kQRandInt,
    kChoice,
    kGrid,
  };

  static Domain Uniform(double low, double high);
  static Domain QUniform(double low, double high, double q);
  static Domain LogUniform(double low, double high);
  static Domain QLogUniform(double low, double high, double q);
  static Domain Randn(double mean, double sd);
  static Domain RandInt(std::int64_t low, std::int64_t high);
  static Domain LogRandInt(std::int64_t low, std::int64_t high);
  static Domain QRandInt(std::int64_t low, std::int64_t high, std::int64_t q);
  static Domain Choice(std::vector<Value> values);
  static Domain Grid(std::vector<Value> values);

  Kind kind() const { return kind_; }
  bool is_grid() const { return kind_ == Kind::kGrid; }
  double low() const { return low_; }    // mean for randn
  double high() const { return high_; }  // sd for randn
  double q() const { return q_; }
  const std::vector<Value>& values() const { return values_; }  // choice and grid

  // Throws Error::InvalidArgument("parameter 'lr': ...") when the bounds are unusable.
  void validate(const std::string& name) const;

  // Draws one value. REQUIRES: !is_grid(). Deterministic for a given Rng state.
  Value sample(Rng& rng) const;

  // True if v could have been produced by this domain (type and range); used to check
  // user-given starting points.
  bool contains(const Value& v) const;

  // "loguniform(0.0001, 0.1)" — the compact form the YAML spec accepts.
  std::string to_string() const;

 private:
  Domain(Kind kind, double low, double high, double q, std::vector<Value> values)
      : kind_(kind), low_(low), high_(high), q_(q), values_(std::move(values)) {}
  Kind kind_;
  double low_ = 0, high_ = 0, q_ = 0;
  std::vector<Value> values_;
};

// An ordered list of (name, domain). Order is insertion order and is part of reproducibility:
// parameters are sampled in this order from a trial's Rng.
class Space {
 public:
  struct Param {
    std::string name;
    Domain domain;
  };

  // Validates the domain; throws Error::InvalidArgument on a bad domain or a duplicate name.
  Space& add(std::string name, Domain domain);

  const std::vector<Param>& params() const { return params_; }
  const Param* find(const std::string& name) const;  // nullptr if absent
  bool empty() const { return params_.empty(); }

  // Number of grid points (product of grid axis sizes; 1 when there is no grid axis).
  std::uint64_t grid_size() const;

 private:
  std::vector<Param> params_;
};

}  // namespace tuneq
