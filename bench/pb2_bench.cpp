// Cost of one PB2 explore step (schedule/pb2_bandit.hpp: rows, window, GP fit, acquisition) as
// the population's data grow: 8 trials with 2 bounded parameters, a config jump every 5
// boundaries (as after exploits), reward changes from a smooth function plus noise.
//   build/release/bench/pb2_bench
// Rows below 200 use all the data; from 200 on the window selection (Ray's select_length) adds
// one likelihood evaluation per candidate window of 200, 210, ... rows.
#include <cmath>
#include <cstdint>
#include <vector>

#include <benchmark/benchmark.h>

#include "schedule/pb2_bandit.hpp"
#include "tuneq/rng.hpp"

namespace {

using tuneq::Rng;
using tuneq::detail::Pb2BanditOptions;
using tuneq::detail::Pb2Bound;
using tuneq::detail::Pb2Observation;

const std::vector<Pb2Bound> kBounds = {{1e-4, 0.1}, {0, 1}};

// Enough boundary results of 8 trials for `rows` data rows (each trial's first point and the
// first point after a jump give none).
std::vector<Pb2Observation> Population(std::size_t rows) {
  Rng rng(3);
  std::vector<Pb2Observation> obs;
  const int trials = 8;
  const auto steps = static_cast<int>(rows / trials * 5 / 4 + 2);
  for (int i = 0; i < trials; ++i) {
    std::vector<double> x = {rng.uniform(1e-4, 0.1), rng.uniform01()};
    double reward = 0;
    for (int t = 1; t <= steps; ++t) {
      if (t % 5 == 0) x = {rng.uniform(1e-4, 0.1), rng.uniform01()};
      reward += 1 - 100 * std::pow(x[0] - 0.04, 2) + 0.1 * rng.normal();
      obs.push_back({static_cast<tuneq::TrialId>(i), static_cast<double>(t), x, reward});
    }
  }
  return obs;
}

void BM_Pb2Explore(benchmark::State& state) {
  const auto rows = static_cast<std::size_t>(state.range(0));
  const std::vector<Pb2Observation> obs = Population(rows);
  const Pb2BanditOptions options;
  std::size_t used = 0;
  std::uint64_t seed = 0;
  for (auto _ : state) {
    Rng rng(++seed);
    const auto choice = tuneq::detail::pb2_select(obs, kBounds, 0, {}, options, rng);
    benchmark::DoNotOptimize(choice);
    used = choice ? choice->rows : 0;
  }
  state.counters["data_rows"] =
      static_cast<double>(tuneq::detail::pb2_rows(obs, options.max_rows).size());
  state.counters["gp_rows"] = static_cast<double>(used);
}
BENCHMARK(BM_Pb2Explore)
    ->Arg(50)
    ->Arg(100)
    ->Arg(200)
    ->Arg(500)
    ->Arg(1000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
