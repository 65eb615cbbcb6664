// Private helper shared by the random, grid and points-to-evaluate searchers.
#pragma once

#include <cstdint>

#include "tuneq/result.hpp"
#include "tuneq/space.hpp"
#include "tuneq/value.hpp"

namespace tuneq::detail {

// Draws every non-grid parameter of `space` from one Rng::ForTrial(seed, id), in space order.
// Grid axes take no draw and are absent from the result. Because the stream depends only on
// (seed, id) and the draw order only on the space, a trial's random values can be reproduced
// alone, and every searcher built on this gives trial `id` the same random values.
Config sample_random_params(const Space& space, std::uint64_t seed, TrialId id);

}  // namespace tuneq::detail
