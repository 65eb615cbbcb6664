// Searchers decide which config to try next. Like schedulers they are pure: a deterministic
// function of their seed and the calls they receive; no clock, no I/O, no threads.
// Not thread-safe: the tuner loop is the only caller.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "tuneq/result.hpp"
#include "tuneq/space.hpp"
#include "tuneq/value.hpp"

namespace tuneq {

struct Suggestion {
  enum class Kind : std::uint8_t {
    kConfig,  // try this config
    kWait,    // nothing now (e.g. a concurrency limit); ask again after a trial ends
    kDone,    // nothing more, ever (grid exhausted, all samples drawn)
  };
  Kind kind = Kind::kDone;
  Config config;

  static Suggestion Of(Config c) { return {Kind::kConfig, std::move(c)}; }
  static Suggestion Wait() { return {Kind::kWait, {}}; }
  static Suggestion Done() { return {Kind::kDone, {}}; }
};

class Searcher {
 public:
  virtual ~Searcher() = default;

  // The config for the trial that will get id `id`. Ids are given in increasing order.
  virtual Suggestion suggest(TrialId id) = 0;

  virtual void on_result(TrialId id, const Result& result) { (void)id, (void)result; }
  virtual void on_trial_finished(TrialId id, TrialEnd how) { (void)id, (void)how; }
};

struct RandomSearchOptions {
  std::uint64_t seed = 0;
  // How many configs to draw in all (0: unbounded; the tuner's budget ends the experiment).
  std::uint64_t num_samples = 0;
};
// Random search: trial `id` gets the config drawn from Rng::ForTrial(seed, id), parameters in the
// space's order. Grid axes are not allowed here (use make_grid_search).
std::unique_ptr<Searcher> make_random_search(Space space, RandomSearchOptions options);

// Grid search: the full cartesian product of the grid axes, crossed with `num_samples` random
// draws of the other axes. Order: for sample k in 0..num_samples-1, for grid point g in
// lexicographic order of the axes in space order (the last axis varies fastest). Random axes of
// the i-th suggestion are drawn from Rng::ForTrial(seed, id). Done after grid_size*num_samples.
// With no grid axis this is random search with num_samples draws.
std::unique_ptr<Searcher> make_grid_search(Space space, RandomSearchOptions options);

// Tries the user's starting points first, in order, then defers to `inner`. A point may leave
// out parameters; they are drawn from Rng::ForTrial(seed, id). A point whose value is outside its
// domain, or that names an unknown parameter, is an Error::InvalidArgument naming both.
std::unique_ptr<Searcher> make_points_to_evaluate(Space space, std::vector<Config> points,
                                                  std::uint64_t seed,
                                                  std::unique_ptr<Searcher> inner);

// Allows at most `max_concurrent` live (suggested, not finished) trials; beyond that it answers
// kWait. REQUIRES: max_concurrent >= 1.
std::unique_ptr<Searcher> make_concurrency_limiter(std::unique_ptr<Searcher> inner,
                                                   std::size_t max_concurrent);

}  // namespace tuneq
