// Cost per decision: synthetic learning curves fed through each scheduler at 10^3..10^6 trials.
//
// A minimal driver stands in for the tuner loop (no executor, no events): 64 trials run at once,
// each report goes to the scheduler, paused and stopped trials free their slot, and the slot is
// offered back to the scheduler (start new or resume). The counter per_report is the whole
// driver's time divided by the number of reports, so it is an upper bound on the scheduler's own
// cost per report.
//
//   build/release/bench/scheduler_bench --benchmark_counters_tabular=true
//   bench/scheduler_cost.py build/release   (runs it and prints the table in docs/BENCHMARKS.md)
#include <benchmark/benchmark.h>

#include <cmath>
#include <functional>
#include <memory>
#include <vector>

#include "tuneq/rng.hpp"
#include "tuneq/scheduler.hpp"

namespace {

using tuneq::Action;
using tuneq::SlotChoice;
using tuneq::TrialId;

constexpr int kWorkers = 64;
constexpr double kMaxT = 81;

// A learning curve with its own start, end and speed, plus noise: value(step) for trial `id`.
struct Curves {
  struct Params {
    float start, end, rate;
  };
  std::vector<Params> params;
  explicit Curves(std::size_t n) : params(n) {
    for (std::size_t i = 0; i < n; ++i) {
      tuneq::Rng r = tuneq::Rng::ForTrial(1, i);
      params[i] = {static_cast<float>(1 + r.uniform01()), static_cast<float>(r.uniform01()),
                   static_cast<float>(0.05 + 0.5 * r.uniform01())};
    }
  }
  double value(TrialId id, std::uint64_t step) const {
    const Params& p = params[id];
    const double noise =
        0.01 * static_cast<double>((id * 2654435761u + step * 40503u) % 1000) / 1000;
    return p.end + (p.start - p.end) * std::exp(-p.rate * static_cast<double>(step)) + noise;
  }
};

struct Running {
  TrialId id;
  std::uint64_t step;
};

// Runs `n` trials through `s` and returns the number of reports made.
std::uint64_t drive(tuneq::Scheduler& s, const Curves& curves, std::size_t n, double max_t) {
  std::vector<std::uint64_t> steps(n, 0);
  std::vector<Running> running;
  running.reserve(kWorkers);
  TrialId next = 0;
  bool told_no_more = false;
  std::uint64_t reports = 0;

  auto fill = [&] {
    while (running.size() < kWorkers) {
      const bool can_start = next < n;
      if (!can_start && !told_no_more) {
        s.on_no_more_trials();
        told_no_more = true;
      }
      const SlotChoice c = s.on_free_slot({can_start, 0});
      (void)s.take_trials_to_stop();
      if (c.kind == SlotChoice::Kind::kStartNew && can_start) {
        s.on_trial_added(next, {});
        running.push_back({next++, 0});
      } else if (c.kind == SlotChoice::Kind::kResume) {
        running.push_back({c.trial, steps[c.trial]});
      } else {
        break;
      }
    }
  };

  fill();
  std::size_t i = 0;
  while (!running.empty()) {
    if (i >= running.size()) i = 0;
    Running& r = running[i];
    ++r.step;
    const tuneq::Decision d =
        s.on_result(r.id, {static_cast<double>(r.step), curves.value(r.id, r.step)}, {next < n, 0});
    ++reports;
    const bool done = d.action == Action::kContinue && static_cast<double>(r.step) >= max_t;
    if (d.action == Action::kContinue && !done) {
      ++i;
      continue;
    }
    steps[r.id] = r.step;
    if (d.action == Action::kStop || done) {
      s.on_trial_finished(
          r.id, d.completed || done ? tuneq::TrialEnd::kCompleted : tuneq::TrialEnd::kStopped);
    }
    running[i] = running.back();
    running.pop_back();
    (void)s.take_trials_to_stop();
    fill();
  }
  return reports;
}

void run(benchmark::State& state, const std::function<std::unique_ptr<tuneq::Scheduler>()>& make,
         double max_t) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const Curves curves(n);
  std::uint64_t reports = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto s = make();
    state.ResumeTiming();
    reports += drive(*s, curves, n, max_t);
    state.PauseTiming();
    s.reset();  // freeing a million-trial scheduler is not a decision cost
    state.ResumeTiming();
  }
  state.counters["reports"] =
      static_cast<double>(reports) / static_cast<double>(state.iterations());
  // Seconds of timed work per report (shown with SI prefixes: "412n" is 412 ns).
  state.counters["per_report"] = benchmark::Counter(
      static_cast<double>(reports), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

tuneq::AshaOptions asha(int brackets) {
  return {tuneq::Mode::kMin, kMaxT, 1, 3, brackets, true};
}

void BM_AshaStopping(benchmark::State& st) {
  run(
      st, [] { return tuneq::make_asha_stopping(asha(1)); }, kMaxT);
}
void BM_AshaPromotion(benchmark::State& st) {
  run(
      st, [] { return tuneq::make_asha_promotion(asha(1)); }, kMaxT);
}
void BM_AsyncHyperband(benchmark::State& st) {
  run(
      st, [] { return tuneq::make_asha_promotion(asha(3)); }, kMaxT);
}
void BM_Hyperband(benchmark::State& st) {
  run(
      st,
      [] {
        return tuneq::make_hyperband({tuneq::Mode::kMin, kMaxT, 3});
      },
      kMaxT);
}
void BM_MedianStopping(benchmark::State& st) {
  run(
      st,
      [] {
        return tuneq::make_median_stopping({tuneq::Mode::kMin, 1, 3, 0, true});
      },
      27);
}

#define TUNEQ_SIZES                   \
  ->Arg(1000)                         \
      ->Arg(10000)                    \
      ->Arg(100000)                   \
      ->Arg(1000000)                  \
      ->Unit(benchmark::kMillisecond) \
      ->Iterations(1)                 \
      ->Repetitions(3)                \
      ->ReportAggregatesOnly(true)
BENCHMARK(BM_AshaStopping) TUNEQ_SIZES;
BENCHMARK(BM_AshaPromotion) TUNEQ_SIZES;
BENCHMARK(BM_AsyncHyperband) TUNEQ_SIZES;
BENCHMARK(BM_Hyperband) TUNEQ_SIZES;
BENCHMARK(BM_MedianStopping) TUNEQ_SIZES;

}  // namespace

BENCHMARK_MAIN();
