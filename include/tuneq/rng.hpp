// A small, fully specified random generator (SplitMix64 seeding xoshiro256**), so that the same
// seed gives the same configs on every platform and standard library (std::*_distribution is
// implementation-defined and would not).
#pragma once

#include <cstdint>

namespace tuneq {

class Rng {
 public:
  explicit Rng(std::uint64_t seed);
  // The stream for one trial: depends only on (experiment seed, trial id), so any trial's config
  // can be reproduced alone and replay needs no RNG snapshots.
  static Rng ForTrial(std::uint64_t seed, std::uint64_t trial_id);
  // An independent stream for a named purpose (e.g. a scheduler's bracket draws).
  static Rng ForStream(std::uint64_t seed, std::uint64_t stream, std::uint64_t index);

  std::uint64_t next_u64();
  double uniform01();                       // [0, 1), 53 random bits
  double uniform(double low, double high);  // [low, high)
  std::uint64_t below(std::uint64_t n);     // [0, n), unbiased. REQUIRES: n > 0
  double normal();                          // standard normal (Box-Muller, no cached pair)

 private:
  std::uint64_t s_[4];
};

}  // namespace tuneq
