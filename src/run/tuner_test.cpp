// The tuner loop driven through the simulated executor with scripted searcher and scheduler
// doubles (run/test_doubles.hpp). Timelines are worked out by hand in the comments: every step
// costs 1 virtual second unless said otherwise, and the curve is loss = x + 1/step.
#include "run/tuner_test_harness.hpp"

#include <gtest/gtest.h>

namespace tuneq::looptest {
namespace {

TEST(Tuner, FifoRunsEveryTrialToItsEnd) {
  // Pool of 2, three trials of 3 steps: 0 and 1 run over [0, 3], trial 2 over [3, 6].
  Scenario setup;
  setup.configs = ScriptedSearcher::numbered(3);
  setup.options.pool.cpu = 2;
  setup.sim.max_steps = 3;
  const Outcome out = run(setup);

  ASSERT_EQ(out.result.trials.size(), 3u);
  for (const TrialRecord& t : out.result.trials) {
    EXPECT_EQ(t.status, TrialStatus::kCompleted) << t.id;
    EXPECT_EQ(t.num_results, 3u);
    EXPECT_EQ(t.resource, 3);
    EXPECT_EQ(t.checkpoint, "3");
    EXPECT_DOUBLE_EQ(t.last_value, static_cast<double>(t.id) + 1.0 / 3);
  }
  EXPECT_EQ(out.result.end_reason, "searcher exhausted");
  EXPECT_EQ(out.result.best, TrialId{0});
  EXPECT_DOUBLE_EQ(out.result.best_value, 1.0 / 3);
  EXPECT_EQ(out.result.num_results, 9u);
  EXPECT_DOUBLE_EQ(out.result.elapsed, 6);
  EXPECT_DOUBLE_EQ(out.result.busy_slot_seconds, 9);
  EXPECT_DOUBLE_EQ(out.result.utilisation, 9.0 / (2 * 6));  // two slots over six seconds
  EXPECT_EQ(out.no_more_trials_calls, 1);
  EXPECT_EQ(out.launches[2].trial, 2u);
  EXPECT_EQ(out.sink.for_trial(2).front().time, 3);  // trial 2 added when trial 0 exited
}

TEST(Tuner, EventsCarryTheDocumentedJson) {
  Scenario setup;
  setup.configs = {Config{{"x", Value(0)}}};
  setup.sim.max_steps = 2;
  const Outcome out = run(setup);
  const std::vector<std::string> expected = {
      R"(trial_added 0 {"config":{"x":0}})",
      R"(started 0 {"cpu":1,"gpus":[],"restore":null})",
      R"(result 0 {"resource":1.0,"metrics":{"loss":1.0,"step":1.0}})",
      R"(checkpoint 0 {"checkpoint":"1","resource":1.0})",
      R"(decision 0 {"action":"continue","resource":1.0,"reason":"","loop":{"can_start_new":true,"waiting":1}})",
      R"(result 0 {"resource":2.0,"metrics":{"loss":0.5,"step":2.0}})",
      R"(checkpoint 0 {"checkpoint":"2","resource":2.0})",
      R"(decision 0 {"action":"continue","resource":2.0,"reason":"","loop":{"can_start_new":true,"waiting":1}})",
      R"(finished 0 {"status":"completed"})",
      R"(no_more_trials 0 {"reason":"searcher exhausted"})",
  };
  EXPECT_EQ(out.sink.lines(), expected);
  const std::vector<double> times = {0, 0, 1, 1, 1, 2, 2, 2, 2, 2};
  for (std::size_t i = 0; i < out.sink.events.size(); ++i) {
    EXPECT_EQ(out.sink.events[i].seq, i);
    EXPECT_EQ(out.sink.events[i].time, times[i]) << i;
  }
  EXPECT_GE(out.sink.flushes, 3);  // before the launch and each reply at least
}

TEST(Tuner, PausedTrialResumesFromItsCheckpoint) {
  // Pool of 1. Trial 0 pauses at resource 2 (t=2); trial 1 runs [2, 5]; then the scheduler
  // resumes trial 0 from checkpoint "2": its step 3 comes at t=6 with resource 3.
  Scenario setup;
  setup.sim.max_steps = 3;
  setup.script = [](ScriptedScheduler& s) {
    s.on_result_fn = [](TrialId id, const Result& r, const LoopState&) {
      return id == 0 && r.resource == 2 ? Decision::Pause("paused at {}", {2})
                                        : Decision::Continue();
    };
    s.on_free_slot_fn = [&s](const LoopState& loop) {
      if (s.finished.count(1) && !s.finished.count(0)) return SlotChoice::Resume(0);
      return loop.can_start_new ? SlotChoice::StartNew() : SlotChoice::Wait();
    };
  };
  const Outcome out = run(setup);

  ASSERT_EQ(out.launches.size(), 3u);
  EXPECT_EQ(out.launches[2].trial, 0u);
  EXPECT_EQ(out.launches[2].restore, "2");
  EXPECT_EQ(out.launches[2].resource_offset, 2);
  const TrialRecord& t0 = out.result.trials[0];
  EXPECT_EQ(t0.status, TrialStatus::kCompleted);
  EXPECT_EQ(t0.num_results, 3u);
  EXPECT_EQ(t0.resource, 3);
  EXPECT_EQ(t0.last_reason, "paused at 2");

  std::vector<std::string> kinds;
  for (const Event& e : out.sink.for_trial(0)) kinds.push_back(to_string(e.kind));
  EXPECT_EQ(kinds,
            (std::vector<std::string>{"trial_added", "started", "result", "checkpoint", "decision",
                                      "result", "checkpoint", "decision", "paused", "resumed",
                                      "result", "checkpoint", "decision", "finished"}));
  const std::vector<Event> decisions = out.sink.of(Event::Kind::kDecision);
  // When trial 0 pauses the searcher may still give configs (waiting 1); when it is resumed
  // trial 0 is paused and a new one could still start (waiting 2).
  EXPECT_EQ(decisions[1].data, R"({"action":"pause","resource":2.0,"reason":"paused at 2",)"
                               R"("loop":{"can_start_new":true,"waiting":1}})");
  EXPECT_EQ(out.sink.of(Event::Kind::kResumed)[0].data,
            R"({"restore":"2","loop":{"can_start_new":true,"waiting":2}})");
  EXPECT_EQ(out.sink.of(Event::Kind::kResumed)[0].time, 5);
  EXPECT_DOUBLE_EQ(out.result.elapsed, 6);
  EXPECT_DOUBLE_EQ(out.result.busy_slot_seconds, 6);  // 2 + 3 + 1
  EXPECT_DOUBLE_EQ(out.result.utilisation, 1.0);
}

TEST(Tuner, StopEndsATrialStoppedOrCompletedAsTheDecisionSays) {
  Scenario setup;
  setup.options.pool.cpu = 2;
  setup.sim.max_steps = 5;
  setup.script = [](ScriptedScheduler& s) {
    s.on_result_fn = [](TrialId id, const Result& r, const LoopState&) {
      if (id == 0 && r.resource == 2) return Decision::Stop("below cutoff {}", {0.5});
      if (id == 1 && r.resource == 3) return Decision::Complete("reached max_t {}", {3});
      return Decision::Continue();
    };
  };
  const Outcome out = run(setup);
  EXPECT_EQ(out.result.trials[0].status, TrialStatus::kStopped);
  EXPECT_EQ(out.result.trials[1].status, TrialStatus::kCompleted);
  EXPECT_EQ(out.result.trials[0].last_reason, "below cutoff 0.5");
  EXPECT_EQ(out.result.num_results, 5u);
  const std::vector<Event> finished = out.sink.of(Event::Kind::kFinished);
  ASSERT_EQ(finished.size(), 2u);
  EXPECT_EQ(finished[0].data, R"({"status":"stopped"})");
  EXPECT_EQ(finished[1].data, R"({"status":"completed"})");
  EXPECT_EQ(out.finished.at(0), TrialEnd::kStopped);
  EXPECT_EQ(out.finished.at(1), TrialEnd::kCompleted);
  EXPECT_TRUE(contains(out.calls, "searcher finished 0 stopped"));
  EXPECT_TRUE(contains(out.calls, "searcher finished 1 completed"));
}

struct BudgetCase {
  const char* name;
  std::function<void(Scenario&)> configure;
  const char* end_reason;
  double elapsed;
  std::size_t num_results;
  std::size_t trials;
};

TEST(Tuner, BudgetsEndTheExperiment) {
  const BudgetCase cases[] = {
      // t=0: trials 0, 1; t=3: both done, trial 2 spends the budget; it runs [3, 6].
      {"max_trials",
       [](Scenario& s) {
         s.unbounded = true;
         s.options.budget.max_trials = 3;
         s.options.pool.cpu = 2;
       },
       "trial budget spent", 6, 9, 3},
      // Two trials report at t=1..10; those at t=10 still count.
      {"max_time",
       [](Scenario& s) {
         s.unbounded = true;
         s.options.budget.max_time = 10;
         s.options.pool.cpu = 2;
         s.sim.max_steps = 100;
       },
       "time budget 10 s reached", 10, 20, 2},
      // Totals: t=1: 1+1, t=2: 2+1 then 2+2, t=3: 3+2 = 5 -> end after 5 results.
      {"max_total_resource",
       [](Scenario& s) {
         s.options.budget.max_total_resource = 5;
         s.options.pool.cpu = 2;
         s.sim.max_steps = 10;
       },
       "resource budget reached", 3, 5, 2},
      // loss = 1/step reaches 0.25 at step 4.
      {"metric_target_min",
       [](Scenario& s) {
         s.configs = {Config{{"x", Value(0)}}};
         s.options.budget.metric_target = 0.25;
         s.sim.max_steps = 10;
       },
       "metric target 0.25 reached", 4, 4, 1},
      // accuracy = 0.1 * step reaches 0.3 at step 3 (0.1 * 3 = 0.30000000000000004).
      {"metric_target_max",
       [](Scenario& s) {
         s.configs = {Config{{"x", Value(0)}}};
         s.options.mode = Mode::kMax;
         s.options.budget.metric_target = 0.3;
         s.sim.max_steps = 10;
         s.sim.curve = [](const Config&, std::uint64_t step) { return 0.1 * step; };
       },
       "metric target 0.3 reached", 3, 3, 1},
  };
  for (const BudgetCase& c : cases) {
    SCOPED_TRACE(c.name);
    Scenario setup;
    c.configure(setup);
    const Outcome out = run(setup);
    EXPECT_EQ(out.result.end_reason, c.end_reason);
    EXPECT_DOUBLE_EQ(out.result.elapsed, c.elapsed);
    EXPECT_EQ(out.result.num_results, c.num_results);
    EXPECT_EQ(out.result.trials.size(), c.trials);
    EXPECT_LE(out.no_more_trials_calls, 1);
    for (const TrialRecord& t : out.result.trials) {
      EXPECT_TRUE(t.status == TrialStatus::kCompleted || t.status == TrialStatus::kStopped);
    }
  }
}

TEST(Tuner, TimeBudgetCancelsRunningTrialsAsStopped) {
  Scenario setup;
  setup.unbounded = true;
  setup.options.budget.max_time = 2.5;
  setup.options.pool.cpu = 2;
  setup.sim.max_steps = 100;
  const Outcome out = run(setup);
  EXPECT_EQ(out.result.end_reason, "time budget 2.5 s reached");
  ASSERT_EQ(out.result.trials.size(), 2u);
  for (const TrialRecord& t : out.result.trials) {
    EXPECT_EQ(t.status, TrialStatus::kStopped);
    EXPECT_EQ(t.num_results, 2u);
    EXPECT_EQ(out.finished.at(t.id), TrialEnd::kStopped);
  }
  EXPECT_EQ(out.sink.of(Event::Kind::kFinished).back().time, 2.5);
  EXPECT_DOUBLE_EQ(out.result.busy_slot_seconds, 5);
}

TEST(Tuner, MaxTrialsTellsTheSchedulerOnce) {
  Scenario setup;
  setup.unbounded = true;
  setup.options.budget.max_trials = 2;
  const Outcome out = run(setup);
  EXPECT_EQ(out.no_more_trials_calls, 1);
  const std::vector<Event> closed = out.sink.of(Event::Kind::kNoMoreTrials);
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].data, R"({"reason":"trial budget spent"})");
  EXPECT_EQ(closed[0].seq, out.sink.of(Event::Kind::kStarted)[1].seq + 1);
  // Added, then launched, then no more trials: the scheduler knows trial 1 before closing.
  EXPECT_EQ(std::find(out.calls.begin(), out.calls.end(), "no more trials") -
                std::find(out.calls.begin(), out.calls.end(), "added 1"),
            1);
}

}  // namespace
}  // namespace tuneq::looptest
