// PBT's explore step (Ray Tune's _explore in ray/tune/schedulers/pbt.py), value by value, in the
// order of the parameter names:
//   list (or a choice/grid domain, read as the list of its values): draw u in [0, 1); if
//     u < resample_probability or the current value is not in the list, a uniformly drawn list
//     value; else move to index -1 or +1 (equally likely), clamped at the ends of the list.
//   domain: draw u; if u < resample_probability, a fresh sample of the domain; else the value
//     times one of perturbation_factors (equally likely). Then clamped into the domain's bounds
//     (randn has none; an exclusive upper bound of an int domain is high - 1), and an int value
//     stays an int (rounded to nearest; Ray truncates, which can never move 1..4 up by 1.2).
#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "schedule/pbt.hpp"
#include "tuneq/error.hpp"

namespace tuneq::detail {
namespace {

bool is_list(const Mutation& m) {
  return !m.domain || m.domain->kind() == Domain::Kind::kChoice ||
         m.domain->kind() == Domain::Kind::kGrid;
}

const std::vector<Value>& list_values(const Mutation& m) {
  return m.domain ? m.domain->values() : m.values;
}

// [low, high] a perturbed value is clamped into; infinite where the domain has no bound.
std::pair<double, double> bounds(const Domain& d) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  switch (d.kind()) {
    case Domain::Kind::kRandn:
      return {-kInf, kInf};
    case Domain::Kind::kRandInt:
    case Domain::Kind::kLogRandInt:
      return {d.low(), d.high() - 1};  // exclusive upper bound
    default:
      return {d.low(), d.high()};
  }
}

}  // namespace

Value explore_value(const Value& current, const Mutation& mutation, double resample_probability,
                    const std::vector<double>& perturbation_factors, Rng& rng) {
  const double u = rng.uniform01();
  if (is_list(mutation)) {
    const std::vector<Value>& values = list_values(mutation);
    const auto at = std::find(values.begin(), values.end(), current);
    if (u < resample_probability || at == values.end()) return values[rng.below(values.size())];
    const auto index = static_cast<std::ptrdiff_t>(at - values.begin());
    const std::ptrdiff_t shift = rng.below(2) == 0 ? -1 : 1;
    const std::ptrdiff_t last = static_cast<std::ptrdiff_t>(values.size()) - 1;
    return values[static_cast<std::size_t>(std::clamp(index + shift, std::ptrdiff_t{0}, last))];
  }
  const Domain& domain = *mutation.domain;
  double v = 0;
  if (u < resample_probability) {
    v = domain.sample(rng).as_float();
  } else {
    v = current.as_float() * perturbation_factors[rng.below(perturbation_factors.size())];
  }
  const auto [low, high] = bounds(domain);
  v = std::clamp(v, low, high);
  if (current.is_int()) return Value(static_cast<std::int64_t>(std::llround(v)));
  return Value(v);
}

RandomExplorer::RandomExplorer(std::map<std::string, Mutation> mutations,
                               double resample_probability,
                               std::vector<double> perturbation_factors)
    : mutations_(std::move(mutations)),
      resample_probability_(resample_probability),
      perturbation_factors_(std::move(perturbation_factors)) {
  if (mutations_.empty()) {
    throw Error::InvalidArgument(
        "PBT option hyperparam_mutations must name at least one parameter");
  }
  for (const auto& [name, m] : mutations_) {
    if (m.domain && !m.values.empty()) {
      throw Error::InvalidArgument(fmt::format(
          "PBT option hyperparam_mutations '{}': give a domain or a list of values, not both",
          name));
    }
    if (!m.domain && m.values.empty()) {
      throw Error::InvalidArgument(
          fmt::format("PBT option hyperparam_mutations '{}': the list of values is empty", name));
    }
    if (m.domain) m.domain->validate(name);
  }
}

void RandomExplorer::check_config(TrialId id, const Config& config) const {
  for (const auto& [name, m] : mutations_) {
    const auto it = config.find(name);
    if (it == config.end()) {
      throw Error::InvalidArgument(fmt::format(
          "PBT: hyperparam_mutations names '{}', which trial {}'s config does not have", name, id));
    }
    if (!is_list(m) && !it->second.is_number()) {
      throw Error::InvalidArgument(
          fmt::format("PBT: hyperparam_mutations '{}' is a numeric domain, but trial {} has '{}'",
                      name, id, it->second.to_string()));
    }
  }
}

Config RandomExplorer::explore(TrialId trial, TrialId source, const Config& source_config,
                               const PbtPopulation& population, Rng& rng) const {
  (void)trial, (void)source, (void)population;
  Config config = source_config;
  for (const auto& [name, m] : mutations_) {
    config[name] =
        explore_value(source_config.at(name), m, resample_probability_, perturbation_factors_, rng);
  }
  return config;
}

}  // namespace tuneq::detail
