// Runs one experiment through the real Tuner on the simulated executor with the scripted
// doubles, and hands back everything the tests look at. Tests only.
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "run/test_doubles.hpp"
#include "tuneq/clock.hpp"
#include "tuneq/simulated.hpp"
#include "tuneq/tuner.hpp"

namespace tuneq::looptest {

// Defaults: metric "loss" minimised, pool of 1 cpu, two trials {"x": 0} and {"x": 1}, steps of
// 1 virtual second, loss = x + 1/step, 3 steps.
struct Scenario {
  TunerOptions options = [] {
    TunerOptions o;
    o.metric = "loss";
    o.pool.cpu = 1;
    return o;
  }();
  SimulatedTrial sim = [] {
    SimulatedTrial s;
    s.curve = [](const Config& c, std::uint64_t step) {
      return static_cast<double>(c.at("x").as_int()) + 1.0 / static_cast<double>(step);
    };
    s.step_cost = [](const Config&, std::uint64_t) { return 1.0; };
    s.max_steps = 3;
    return s;
  }();
  std::vector<Config> configs = ScriptedSearcher::numbered(2);
  bool unbounded = false;                                 // configs {"x": id} without end
  std::function<void(ScriptedScheduler&)> script;         // sets the scheduler's answers
  std::set<std::pair<TrialId, std::size_t>> crash_after;  // see WatchingExecutor
};

struct Outcome {
  TuneResult result;
  MemorySink sink;
  std::vector<std::string> calls;  // searcher and scheduler calls, in order
  std::vector<LaunchRequest> launches;
  std::vector<std::string> violations;  // resource over-use seen by WatchingExecutor
  std::size_t max_running = 0;
  std::vector<LoopState> slot_states;  // what on_free_slot was told, in order
  int no_more_trials_calls = 0;
  std::map<TrialId, TrialEnd> finished;  // what on_trial_finished was told
};

inline Outcome run(const Scenario& setup) {
  Outcome out;
  ManualClock clock;
  auto log = std::make_shared<std::vector<std::string>>();
  std::unique_ptr<Executor> simulated = make_simulated_executor(setup.sim, clock);
  WatchingExecutor executor(*simulated, setup.options.pool);
  executor.crash_after = setup.crash_after;
  auto searcher = setup.unbounded ? ScriptedSearcher::Unbounded(log)
                                  : std::make_unique<ScriptedSearcher>(setup.configs, log);
  auto scheduler = std::make_unique<ScriptedScheduler>(log);
  ScriptedScheduler* sched = scheduler.get();
  if (setup.script) setup.script(*sched);
  Tuner tuner(setup.options, std::move(searcher), std::move(scheduler), executor, clock, &out.sink);
  out.result = tuner.run();
  out.calls = *log;
  out.launches = executor.launches;
  out.violations = executor.violations;
  out.max_running = executor.max_running;
  out.slot_states = sched->slot_states;
  out.no_more_trials_calls = sched->no_more_trials_calls;
  out.finished = sched->finished;
  return out;
}

inline bool contains(const std::vector<std::string>& calls, const std::string& call) {
  return std::find(calls.begin(), calls.end(), call) != calls.end();
}

}  // namespace tuneq::looptest
