// PB2's explore step behind PBT's machinery (schedule/pbt.hpp): make_pb2 is the population
// scheduler of make_pbt with this explorer. Semantics: docs/schedulers/pb2.md.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "schedule/pb2_bandit.hpp"
#include "schedule/pbt.hpp"

namespace tuneq::detail {

// Ray Tune's PB2._get_new_config and explore(): the population's boundary results (plus one
// observation where each clone's data start) go to the GP bandit, which picks the bounded
// parameters of the source's config; the others are copied. Configs chosen since the
// population's latest time last advanced are the bandit's pending points (Ray's `current`).
// State: those clone-start observations and the pending batch, built only from its own answers,
// so replaying the exploits in log order rebuilds it.
class Pb2Explorer final : public Explorer {
 public:
  // Validates the bounds; throws Error::InvalidArgument naming the parameter.
  explicit Pb2Explorer(const std::map<std::string, std::pair<double, double>>& bounds,
                       Pb2BanditOptions options = {});

  void check_config(TrialId id, const Config& config) const override;
  Config explore(TrialId trial, TrialId source, const Config& source_config,
                 const PbtPopulation& population, Rng& rng) override;

  // For tests: where each clone's data start, and the pending batch.
  const std::vector<Pb2Observation>& clone_starts() const { return clone_starts_; }
  const std::vector<std::vector<double>>& pending() const { return pending_; }

 private:
  std::vector<double> bounded_values(const Config& config) const;

  std::vector<std::string> names_;  // bounded parameters, by name
  std::vector<Pb2Bound> bounds_;    // in the order of names_
  Pb2BanditOptions options_;
  std::vector<Pb2Observation> clone_starts_;
  std::vector<std::vector<double>> pending_;
  double last_exploration_time_ = 0;
};

}  // namespace tuneq::detail
