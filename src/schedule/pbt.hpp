// The machinery of population-based training, shared by PBT (random explore, make_pbt) and PB2
// (a GP-bandit explore step, make_pb2): the population's state, the perturbation boundaries,
// quantile ranking, the synchronous barrier, time-multiplexing of paused trials and the exploit
// hand-over to the loop. Only the explore step differs, behind detail::Explorer.
// Semantics: docs/schedulers/pbt.md. Pure: no clock, no I/O, no threads.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tuneq/result.hpp"
#include "tuneq/rng.hpp"
#include "tuneq/scheduler.hpp"
#include "tuneq/value.hpp"

namespace tuneq::detail {

// One trial as population-based training sees it.
struct PbtMember {
  enum class State : std::uint8_t { kRunning, kPaused, kFinished };

  TrialId id = 0;
  Config config;  // current (explored configs replace the suggested one)
  State state = State::kRunning;
  // Score (larger is better; NaN metric = -inf) of the result at the trial's last perturbation
  // boundary, as Ray ranks trials; has_score is false before the first boundary.
  bool has_score = false;
  double score = -std::numeric_limits<double>::infinity();
  double last_train_time = 0;           // resource of that result
  double last_perturbation_time = 0;    // resource of its last exploit/explore step
  bool has_checkpoint = false;          // a clone source needs one
  double checkpoint_resource = 0;       // resource of its latest checkpoint
  std::optional<TrialId> clone_source;  // chosen when it was paused to exploit; not yet taken
  std::uint64_t exploits = 0;           // exploit steps carried out on this trial so far
};

// The result of one trial at one of its perturbation boundaries (what PB2 fits its model on).
struct PbtRecord {
  TrialId trial = 0;
  double time = 0;   // resource
  double score = 0;  // larger is better
  Config config;     // the config the trial trained under up to this result
};

// What an explorer may look at: every member by id (finished ones too) and every boundary
// result in the order they arrived.
struct PbtPopulation {
  const std::vector<PbtMember>& members;
  const std::vector<PbtRecord>& history;
};

// The explore step: the config a trial continues with after it cloned `source`.
class Explorer {
 public:
  virtual ~Explorer() = default;
  // Throws Error::InvalidArgument when a trial's config cannot be explored (a mutated or bounded
  // parameter missing or of the wrong type), naming the parameter and the trial.
  virtual void check_config(TrialId id, const Config& config) const = 0;
  // `rng` depends only on (seed, trial, the trial's exploit count), so the answer does not depend
  // on call order beyond what the event log records.
  virtual Config explore(TrialId trial, TrialId source, const Config& source_config,
                         const PbtPopulation& population, Rng& rng) const = 0;
};

// PBT's own explore step: the rules of tuneq::Mutation (Ray Tune's _explore).
class RandomExplorer final : public Explorer {
 public:
  // Validates the mutations; throws Error::InvalidArgument naming the parameter.
  RandomExplorer(std::map<std::string, Mutation> mutations, double resample_probability,
                 std::vector<double> perturbation_factors);
  void check_config(TrialId id, const Config& config) const override;
  Config explore(TrialId trial, TrialId source, const Config& source_config,
                 const PbtPopulation& population, Rng& rng) const override;

 private:
  std::map<std::string, Mutation> mutations_;
  double resample_probability_;
  std::vector<double> perturbation_factors_;
};

// One explored value (the rules of tuneq::Mutation); exposed for the table-driven tests.
Value explore_value(const Value& current, const Mutation& mutation, double resample_probability,
                    const std::vector<double>& perturbation_factors, Rng& rng);

// The options shared by PBT and PB2 (everything but hyperparam_mutations), validated; throws
// Error::InvalidArgument naming the option ("PBT option quantile_fraction must be ...").
void validate_pbt_options(const PbtOptions& options);

// k of a population of n ranked trials: ceil(n * q), at most floor(n / 2); 0 for n <= 1.
std::size_t pbt_quantile_size(std::size_t n, double quantile_fraction);

// The stream the clone-source draw and the explore step take their randomness from.
Rng pbt_rng(std::uint64_t seed, TrialId trial, std::uint64_t exploits, bool explore);

// A population-based training scheduler with the given explore step. `name` is what name()
// answers ("pbt", "pb2"). options.hyperparam_mutations is ignored (the explorer's business).
std::unique_ptr<Scheduler> make_population_scheduler(const PbtOptions& options,
                                                     std::unique_ptr<Explorer> explorer,
                                                     std::string name);

}  // namespace tuneq::detail
