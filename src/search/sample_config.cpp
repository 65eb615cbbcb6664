#include "search/sample_config.hpp"

#include "tuneq/rng.hpp"

namespace tuneq::detail {

Config sample_random_params(const Space& space, std::uint64_t seed, TrialId id) {
  Rng rng = Rng::ForTrial(seed, id);
  Config config;
  for (const auto& param : space.params()) {
    if (param.domain.is_grid()) continue;
    config.emplace(param.name, param.domain.sample(rng));
  }
  return config;
}

}  // namespace tuneq::detail
