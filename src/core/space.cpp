#include "tuneq/space.hpp"

#include <cmath>

#include <fmt/format.h>

#include "tuneq/error.hpp"
#include "tuneq/rng.hpp"

namespace tuneq {
namespace {

[[noreturn]] void bad(const std::string& name, const std::string& what) {
  throw Error::InvalidArgument(fmt::format("parameter '{}': {}", name, what));
}

double quantize(double x, double q) {
  return std::round(x / q) * q;
}

bool same_value(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) return a.as_float() == b.as_float();
  return a == b;
}

std::string values_to_string(const std::vector<Value>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ", ";
    out += values[i].to_json();
  }
  return out + "]";
}

double as_double(std::int64_t i) {
  return static_cast<double>(i);
}

}  // namespace

Domain Domain::Uniform(double low, double high) {
  return {Kind::kUniform, low, high, 0, {}};
}
Domain Domain::QUniform(double low, double high, double q) {
  return {Kind::kQUniform, low, high, q, {}};
}
Domain Domain::LogUniform(double low, double high) {
  return {Kind::kLogUniform, low, high, 0, {}};
}
Domain Domain::QLogUniform(double low, double high, double q) {
  return {Kind::kQLogUniform, low, high, q, {}};
}
Domain Domain::Randn(double mean, double sd) {
  return {Kind::kRandn, mean, sd, 0, {}};
}
Domain Domain::RandInt(std::int64_t low, std::int64_t high) {
  return {Kind::kRandInt, as_double(low), as_double(high), 1, {}};
}
Domain Domain::LogRandInt(std::int64_t low, std::int64_t high) {
  return {Kind::kLogRandInt, as_double(low), as_double(high), 1, {}};
}
Domain Domain::QRandInt(std::int64_t low, std::int64_t high, std::int64_t q) {
  return {Kind::kQRandInt, as_double(low), as_double(high), as_double(q), {}};
}
Domain Domain::Choice(std::vector<Value> values) {
  return {Kind::kChoice, 0, 0, 0, std::move(values)};
}
Domain Domain::Grid(std::vector<Value> values) {
  return {Kind::kGrid, 0, 0, 0, std::move(values)};
}

void Domain::validate(const std::string& name) const {
  if (kind_ == Kind::kChoice || kind_ == Kind::kGrid) {
    if (values_.empty()) bad(name, fmt::format("{} needs at least one value", to_string()));
    return;
  }
  if (!std::isfinite(low_) || !std::isfinite(high_)) {
    bad(name, fmt::format("{} has a non-finite bound", to_string()));
  }
  if (kind_ == Kind::kRandn) {
    if (high_ <= 0) bad(name, fmt::format("{}: the standard deviation must be > 0", to_string()));
    return;
  }
  const bool inclusive = kind_ == Kind::kQRandInt;
  if (inclusive ? low_ > high_ : low_ >= high_) {
    bad(name, fmt::format("{} is an empty range: low must be {} high", to_string(),
                          inclusive ? "<=" : "<"));
  }
  const bool is_log =
      kind_ == Kind::kLogUniform || kind_ == Kind::kQLogUniform || kind_ == Kind::kLogRandInt;
  if (is_log && low_ <= 0) {
    bad(name, fmt::format("{}: a log domain needs low > 0", to_string()));
  }
  if (kind_ == Kind::kLogRandInt && low_ < 1) {
    bad(name, fmt::format("{}: lograndint needs low >= 1", to_string()));
  }
  const bool quantized =
      kind_ == Kind::kQUniform || kind_ == Kind::kQLogUniform || kind_ == Kind::kQRandInt;
  if (quantized && !(q_ > 0)) bad(name, fmt::format("{}: q must be > 0", to_string()));
  if (kind_ == Kind::kQRandInt && std::ceil(low_ / q_) > std::floor(high_ / q_)) {
    bad(name, fmt::format("{}: no multiple of q lies in [low, high]", to_string()));
  }
}

Value Domain::sample(Rng& rng) const {
  switch (kind_) {
    case Kind::kUniform:
      return rng.uniform(low_, high_);
    case Kind::kQUniform:
      return quantize(rng.uniform(low_, high_), q_);
    case Kind::kLogUniform: {
      const double x = std::exp(rng.uniform(std::log(low_), std::log(high_)));
      return x < high_ ? x : std::nextafter(high_, low_);
    }
    case Kind::kQLogUniform:
      return quantize(std::exp(rng.uniform(std::log(low_), std::log(high_))), q_);
    case Kind::kRandn:
      return low_ + high_ * rng.normal();
    case Kind::kRandInt: {
      const auto lo = static_cast<std::int64_t>(low_);
      const auto span = static_cast<std::uint64_t>(static_cast<std::int64_t>(high_) - lo);
      return lo + static_cast<std::int64_t>(rng.below(span));
    }
    case Kind::kLogRandInt: {
      const double x = std::floor(std::exp(rng.uniform(std::log(low_), std::log(high_))));
      // exp(log(x)) can round just past the exclusive bound; clamp into [low, high).
      const double clamped = std::min(std::max(x, low_), high_ - 1);
      return static_cast<std::int64_t>(clamped);
    }
    case Kind::kQRandInt: {
      const auto first = static_cast<std::int64_t>(std::ceil(low_ / q_));
      const auto last = static_cast<std::int64_t>(std::floor(high_ / q_));
      const auto k = first + static_cast<std::int64_t>(
                                 rng.below(static_cast<std::uint64_t>(last - first + 1)));
      return k * static_cast<std::int64_t>(q_);
    }
    case Kind::kChoice:
      return values_[rng.below(values_.size())];
    case Kind::kGrid:
      break;
  }
  throw Error::FailedPrecondition("a grid axis is enumerated, not sampled");
}

bool Domain::contains(const Value& v) const {
  switch (kind_) {
    case Kind::kChoice:
    case Kind::kGrid:
      for (const auto& x : values_) {
        if (same_value(x, v)) return true;
      }
      return false;
    case Kind::kRandInt:
    case Kind::kLogRandInt:
      return v.is_int() && as_double(v.as_int()) >= low_ && as_double(v.as_int()) < high_;
    case Kind::kQRandInt:
      return v.is_int() && as_double(v.as_int()) >= low_ && as_double(v.as_int()) <= high_;
    case Kind::kRandn:
      return v.is_number() && std::isfinite(v.as_float());
    case Kind::kUniform:
    case Kind::kLogUniform:
      return v.is_number() && v.as_float() >= low_ && v.as_float() < high_;
    case Kind::kQUniform:
    case Kind::kQLogUniform:
      // Rounding to a multiple of q may land up to q/2 outside [low, high].
      return v.is_number() && v.as_float() >= low_ - q_ / 2 && v.as_float() <= high_ + q_ / 2;
  }
  return false;
}

std::string Domain::to_string() const {
  switch (kind_) {
    case Kind::kUniform:
      return fmt::format("uniform({}, {})", low_, high_);
    case Kind::kQUniform:
      return fmt::format("quniform({}, {}, {})", low_, high_, q_);
    case Kind::kLogUniform:
      return fmt::format("loguniform({}, {})", low_, high_);
    case Kind::kQLogUniform:
      return fmt::format("qloguniform({}, {}, {})", low_, high_, q_);
    case Kind::kRandn:
      return fmt::format("randn({}, {})", low_, high_);
    case Kind::kRandInt:
      return fmt::format("randint({}, {})", low_, high_);
    case Kind::kLogRandInt:
      return fmt::format("lograndint({}, {})", low_, high_);
    case Kind::kQRandInt:
      return fmt::format("qrandint({}, {}, {})", low_, high_, q_);
    case Kind::kChoice:
      return fmt::format("choice({})", values_to_string(values_));
    case Kind::kGrid:
      return fmt::format("grid({})", values_to_string(values_));
  }
  return "?";
}

Space& Space::add(std::string name, Domain domain) {
  if (name.empty()) throw Error::InvalidArgument("a parameter needs a non-empty name");
  if (find(name) != nullptr) bad(name, "is defined twice");
  domain.validate(name);
  params_.push_back({std::move(name), std::move(domain)});
  return *this;
}

const Space::Param* Space::find(const std::string& name) const {
  for (const auto& p : params_) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::uint64_t Space::grid_size() const {
  std::uint64_t n = 1;
  for (const auto& p : params_) {
    if (p.domain.is_grid()) n *= p.domain.values().size();
  }
  return n;
}

}  // namespace tuneq
