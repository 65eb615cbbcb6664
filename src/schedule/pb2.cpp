// PB2 = PBT's population scheduler + the GP-bandit explore step (Ray Tune's pb2.py).
//
// explore(trial T, source S) on the PBT scheduler's take_exploit:
//   1. observations: every boundary result of the population (trial, resource, the bounded
//      values of the config it trained under, score) and every clone start recorded so far;
//   2. when the latest observed resource moved past the one of the previous explore, the pending
//      batch is emptied (Ray: "if we are at a new timestep, we don't want to penalise for trials
//      still going");
//   3. pb2_select (schedule/pb2_bandit.hpp) picks the bounded values; S's other values are
//      copied. S without a data row yet (fewer than two boundary results under its config):
//      S's config unchanged, as Ray;
//   4. a clone start (T, S's last row's resource and score, the new values) is recorded, so T's
//      next boundary result measures the change of reward from the cloned state under the new
//      config;
//   5. the new values join the pending batch.
#include "schedule/pb2.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "tuneq/error.hpp"
#include "tuneq/scheduler.hpp"

namespace tuneq::detail {

Pb2Explorer::Pb2Explorer(const std::map<std::string, std::pair<double, double>>& bounds,
                         Pb2BanditOptions options)
    : options_(options) {
  if (bounds.empty()) {
    throw Error::InvalidArgument("PB2 option hyperparam_bounds must name at least one parameter");
  }
  for (const auto& [name, b] : bounds) {
    const auto [low, high] = b;
    if (!std::isfinite(low) || !std::isfinite(high) || !(low < high)) {
      throw Error::InvalidArgument(fmt::format(
          "PB2 option hyperparam_bounds '{}' must be [low, high] with finite low < high, got "
          "[{}, {}]",
          name, low, high));
    }
    names_.push_back(name);
    bounds_.push_back({low, high});
  }
}

void Pb2Explorer::check_config(TrialId id, const Config& config) const {
  for (const std::string& name : names_) {
    const auto it = config.find(name);
    if (it == config.end()) {
      throw Error::InvalidArgument(fmt::format(
          "PB2: hyperparam_bounds names '{}', which trial {}'s config does not have", name, id));
    }
    if (!it->second.is_number()) {
      throw Error::InvalidArgument(
          fmt::format("PB2: hyperparam_bounds '{}' needs a number, but trial {} has '{}'", name, id,
                      it->second.to_string()));
    }
  }
}

std::vector<double> Pb2Explorer::bounded_values(const Config& config) const {
  std::vector<double> x;
  x.reserve(names_.size());
  for (const std::string& name : names_) x.push_back(config.at(name).as_float());
  return x;
}

Config Pb2Explorer::explore(TrialId trial, TrialId source, const Config& source_config,
                            const PbtPopulation& population, Rng& rng) {
  std::vector<Pb2Observation> observations;
  observations.reserve(population.history.size() + clone_starts_.size());
  double latest = -std::numeric_limits<double>::infinity();
  for (const PbtRecord& r : population.history) {
    observations.push_back({r.trial, r.time, bounded_values(r.config), r.score});
    latest = std::max(latest, r.time);
  }
  for (const Pb2Observation& o : clone_starts_) {
    observations.push_back(o);
    latest = std::max(latest, o.time);
  }
  const bool new_time = latest > last_exploration_time_;
  if (new_time) pending_.clear();

  Config config = source_config;
  const std::optional<Pb2Choice> choice =
      pb2_select(observations, bounds_, source, pending_, options_, rng);
  if (choice) {
    for (std::size_t j = 0; j < names_.size(); ++j) {
      const double v = choice->x[j];
      Value& value = config.at(names_[j]);
      if (value.is_int()) {
        const double low = std::ceil(bounds_[j].low), high = std::floor(bounds_[j].high);
        const double rounded = low <= high ? std::clamp(std::round(v), low, high) : std::round(v);
        value = Value(static_cast<std::int64_t>(rounded));
      } else {
        value = Value(v);
      }
    }
    clone_starts_.push_back(
        {trial, choice->source_time, bounded_values(config), choice->source_reward});
  }
  if (new_time) last_exploration_time_ = latest;
  pending_.push_back(bounded_values(config));
  return config;
}

}  // namespace tuneq::detail

namespace tuneq {

std::unique_ptr<Scheduler> make_pb2(const Pb2Options& options) {
  PbtOptions pbt;
  pbt.mode = options.mode;
  pbt.perturbation_interval = options.perturbation_interval;
  pbt.burn_in_period = options.burn_in_period;
  pbt.quantile_fraction = options.quantile_fraction;
  pbt.resample_probability = 0;  // Ray's PB2 passes 0 to PBT; unused by this explorer
  pbt.synch = options.synch;
  pbt.seed = options.seed;
  detail::validate_pbt_options(pbt, "PB2");
  return detail::make_population_scheduler(
      pbt, std::make_unique<detail::Pb2Explorer>(options.hyperparam_bounds), "pb2");
}

}  // namespace tuneq
