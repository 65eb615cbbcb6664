// Scale of the simulator (issue #4, point 3): 1000 simulated workers and 100 000 trials with ASHA
// through the production tuner loop, as `tuneq simulate` runs them (sim::run_simulation with the
// in-memory event log, store::PackedEventLog), and without an event sink (the library path).
// Targets: under 10 s for the 100 000 trials, and at least 1 000 000 simulated reports per second.
//
//   build/release/bench/simulate_scale_bench --benchmark_counters_tabular=true
//
// Counters: reports (results reported by all trials), reports_per_s (reports / wall seconds),
// trials, sim_hours (simulated time), log_mb (memory held by the packed event log). The curves
// benchmark, 81 steps, ASHA max_t 81, eta 3.
#include <benchmark/benchmark.h>

#include "sim/benchmark.hpp"
#include "sim/simulation.hpp"
#include "store/packed_event_log.hpp"
#include "tuneq/scheduler.hpp"
#include "tuneq/searcher.hpp"

namespace {

using namespace tuneq;

enum Variant : int { kStopping = 0, kPromotion = 1, kFifo = 2 };

Space curves_space() {
  Space s;
  s.add("lr", Domain::LogUniform(1e-4, 1)).add("width", Domain::Uniform(16, 512));
  s.add("dropout", Domain::Uniform(0, 0.5));
  return s;
}

std::unique_ptr<Scheduler> scheduler(int variant) {
  AshaOptions asha;
  asha.max_t = 81;
  asha.reduction_factor = 3;
  if (variant == kStopping) return make_asha_stopping(asha);
  if (variant == kPromotion) return make_asha_promotion(asha);
  return make_fifo_scheduler();
}

// Args: workers, trials, variant, with the in-memory event log (1) or no sink (0).
void BM_Simulate(benchmark::State& state) {
  const int workers = static_cast<int>(state.range(0));
  const auto trials = static_cast<std::uint64_t>(state.range(1));
  const int variant = static_cast<int>(state.range(2));
  const bool events = state.range(3) != 0;
  double reports = 0, sim_seconds = 0, started = 0, log_mb = 0;
  for (auto _ : state) {
    const auto bench = sim::make_synthetic("curves", sim::SyntheticOptions{81, 1});
    TunerOptions options;
    options.metric = "loss";
    options.resource_attr = "step";
    options.budget.max_trials = trials;
    store::PackedEventLog memory;
    const auto out =
        sim::run_simulation(options, make_random_search(curves_space(), {1, 0}), scheduler(variant),
                            *bench, workers, events ? &memory : nullptr);
    reports += static_cast<double>(out.reports);
    sim_seconds = out.result.elapsed;
    started = static_cast<double>(out.result.trials.size());
    benchmark::DoNotOptimize(out.final_regret);
    log_mb = static_cast<double>(memory.memory_bytes()) / 1e6;
  }
  state.counters["reports"] = benchmark::Counter(reports, benchmark::Counter::kAvgIterations);
  state.counters["reports_per_s"] = benchmark::Counter(reports, benchmark::Counter::kIsRate);
  state.counters["trials"] = started;
  state.counters["sim_hours"] = sim_seconds / 3600;
  state.counters["log_mb"] = log_mb;
}

// 1000 workers, 100 000 trials: ASHA stopping and promotion, with and without the event log;
// FIFO on 10 000 trials of 81 steps (810 000 reports) for the report rate with long trials.
BENCHMARK(BM_Simulate)
    ->ArgNames({"workers", "trials", "variant", "events"})
    ->Args({1000, 100000, kStopping, 1})
    ->Args({1000, 100000, kPromotion, 1})
    ->Args({1000, 100000, kStopping, 0})
    ->Args({1000, 100000, kPromotion, 0})
    ->Args({1000, 10000, kFifo, 1})
    ->Args({1000, 10000, kFifo, 0})
    ->Iterations(1)
    ->Repetitions(3)
    ->ReportAggregatesOnly(false)
    ->UseRealTime()
    ->Unit(benchmark::kSecond);

}  // namespace

BENCHMARK_MAIN();
