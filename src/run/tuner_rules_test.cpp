// The tuner loop's rules around the happy path: resources, failures and retries, trials the
// scheduler ends while paused, resume races, what is left at the end, option checks.
// Same harness as tuner_test.cpp: steps of 1 virtual second, loss = x + 1/step, 3 steps.
#include <gtest/gtest.h>

#include "run/tuner_test_harness.hpp"
#include "tuneq/error.hpp"

namespace tuneq::looptest {
namespace {

struct PoolCase {
  const char* name;
  ResourcePool pool;
  Resources per_trial;
  std::size_t max_concurrent;
  std::size_t expected_concurrency;
  std::vector<std::vector<int>> first_gpus;  // GPUs of the first launches, lowest first
};

TEST(Tuner, NeverRunsMoreThanThePoolHolds) {
  const PoolCase cases[] = {
      {"gpu-bound", {4, {3, 1, 7}}, {1, 1}, 0, 3, {{1}, {3}, {7}}},
      {"cpu-bound", {5, {}}, {2, 0}, 0, 2, {{}, {}}},
      {"max_concurrent", {4, {}}, {1, 0}, 1, 1, {{}}},
      {"two-gpu trials", {4, {0, 1, 2}}, {1, 2}, 0, 1, {{0, 1}}},
  };
  for (const PoolCase& c : cases) {
    SCOPED_TRACE(c.name);
    Scenario s;
    s.configs = ScriptedSearcher::numbered(7);
    s.options.pool = c.pool;
    s.options.per_trial = c.per_trial;
    s.options.max_concurrent = c.max_concurrent;
    // Uneven step costs so that trials end at different times and slots are reused.
    s.sim.step_cost = [](const Config& config, std::uint64_t) {
      return 1.0 + 0.3 * static_cast<double>(config.at("x").as_int() % 3);
    };
    const Outcome out = run(s);
    EXPECT_TRUE(out.violations.empty()) << out.violations.front();
    EXPECT_EQ(out.max_running, c.expected_concurrency);
    ASSERT_GE(out.launches.size(), c.first_gpus.size());
    for (std::size_t i = 0; i < c.first_gpus.size(); ++i) {
      EXPECT_EQ(out.launches[i].allocation.gpus, c.first_gpus[i]) << i;
      EXPECT_EQ(out.launches[i].allocation.cpu, c.per_trial.cpu);
    }
    EXPECT_EQ(out.result.trials.size(), 7u);
    EXPECT_GT(out.result.utilisation, 0);
    EXPECT_LE(out.result.utilisation, 1.0 + 1e-12);
  }
}

TEST(Tuner, StartedEventNamesTheGpus) {
  Scenario s;
  s.options.pool = {2, {5, 4}};
  s.options.per_trial = {1, 1};
  const Outcome out = run(s);
  const std::vector<Event> started = out.sink.of(Event::Kind::kStarted);
  ASSERT_EQ(started.size(), 2u);
  EXPECT_EQ(started[0].data, R"({"cpu":1,"gpus":[4],"restore":null})");
  EXPECT_EQ(started[1].data, R"({"cpu":1,"gpus":[5],"restore":null})");
}

TEST(Tuner, FailedTrialIsRetriedFromItsCheckpointThenFails) {
  // Trial 0 crashes after report 2 (t=2) and, relaunched from checkpoint "2", after report 3
  // (t=3). With one retry allowed the second crash is final.
  Scenario s;
  s.configs = ScriptedSearcher::numbered(1);
  s.sim.max_steps = 4;
  s.options.max_failures = 1;
  s.crash_after = {{0, 2}, {0, 3}};
  const Outcome out = run(s);
  const TrialRecord& t = out.result.trials[0];
  EXPECT_EQ(t.status, TrialStatus::kFailed);
  EXPECT_EQ(t.failures, 2);
  EXPECT_EQ(t.num_results, 3u);
  ASSERT_EQ(out.launches.size(), 2u);
  EXPECT_EQ(out.launches[1].restore, "2");
  EXPECT_EQ(out.launches[1].resource_offset, 2);
  const std::vector<std::string> failures_and_starts = [&] {
    std::vector<std::string> lines;
    for (const std::string& line : out.sink.lines()) {
      if (line.rfind("failed", 0) == 0 || line.rfind("started", 0) == 0) lines.push_back(line);
    }
    return lines;
  }();
  EXPECT_EQ(failures_and_starts,
            (std::vector<std::string>{
                R"(started 0 {"cpu":1,"gpus":[],"restore":null})",
                R"(failed 0 {"exit_code":137,"error":"killed","attempt":1,"final":false})",
                R"(started 0 {"cpu":1,"gpus":[],"restore":"2"})",
                R"(failed 0 {"exit_code":137,"error":"killed","attempt":2,"final":true})",
            }));
  EXPECT_TRUE(out.sink.of(Event::Kind::kFinished).empty());
  EXPECT_EQ(out.finished.at(0), TrialEnd::kFailed);
  EXPECT_TRUE(contains(out.calls, "searcher finished 0 failed"));
}

TEST(Tuner, RetriedTrialCanComplete) {
  Scenario s;
  s.configs = ScriptedSearcher::numbered(1);
  s.sim.max_steps = 4;
  s.options.max_failures = 2;
  s.crash_after = {{0, 2}, {0, 3}};
  const Outcome out = run(s);
  const TrialRecord& t = out.result.trials[0];
  EXPECT_EQ(t.status, TrialStatus::kCompleted);
  EXPECT_EQ(t.failures, 2);
  EXPECT_EQ(t.num_results, 4u);  // steps 1, 2 | 3 | 4: the count goes on across retries
  EXPECT_EQ(t.resource, 4);
  ASSERT_EQ(out.launches.size(), 3u);
  EXPECT_EQ(out.launches[2].restore, "3");
  EXPECT_DOUBLE_EQ(out.result.elapsed, 4);
}

TEST(Tuner, TrialsToStopEndPausedTrialsAndPendingPauses) {
  // Pool of 2; both trials pause at resource 1 (t=1). Trial 0's pause exits first (equal times
  // go in id order), so when trial 1's result is handled trial 0 is paused and trial 1's pause
  // is only decided: the scheduler names both, both end as stopped. (Trial 0's exit freed a
  // slot and the searcher said it is done: nothing can start, one trial waits.)
  Scenario s;
  s.options.pool.cpu = 2;
  s.script = [](ScriptedScheduler& sched) {
    sched.on_result_fn = [&sched](TrialId id, const Result&, const LoopState&) {
      if (id == 1) sched.to_stop = {0, 1};
      return Decision::Pause("rung full");
    };
  };
  const Outcome out = run(s);
  EXPECT_EQ(out.result.trials[0].status, TrialStatus::kStopped);
  EXPECT_EQ(out.result.trials[1].status, TrialStatus::kStopped);
  EXPECT_EQ(out.finished.at(0), TrialEnd::kStopped);
  EXPECT_EQ(out.finished.at(1), TrialEnd::kStopped);
  const std::vector<std::string> lines = out.sink.lines();
  const std::vector<std::string> tail(lines.end() - 5, lines.end());
  EXPECT_EQ(tail, (std::vector<std::string>{
                      R"(result 1 {"resource":1.0,"metrics":{"loss":2.0,"step":1.0}})",
                      R"(checkpoint 1 {"checkpoint":"1","resource":1.0})",
                      R"(decision 1 {"action":"pause","resource":1.0,"reason":"rung full",)"
                      R"("loop":{"can_start_new":false,"waiting":1}})",
                      R"(finished 0 {"status":"stopped"})",
                      R"(finished 1 {"status":"stopped"})",
                  }));
  EXPECT_EQ(out.result.trials[1].num_results, 1u);
}

TEST(Tuner, ResumeChosenBeforeThePauseArrivesRelaunchesOnExit) {
  // Pool of 2, one trial. It pauses at resource 1; the loop still has a free slot and the
  // scheduler resumes the trial before its kExited comes: it is relaunched when it exits.
  Scenario s;
  s.configs = ScriptedSearcher::numbered(1);
  s.options.pool.cpu = 2;
  s.script = [](ScriptedScheduler& sched) {
    auto paused = std::make_shared<bool>(false);
    sched.on_result_fn = [paused](TrialId, const Result& r, const LoopState&) {
      *paused = r.resource == 1;
      return *paused ? Decision::Pause("yield") : Decision::Continue();
    };
    sched.on_free_slot_fn = [paused, resumed = false](const LoopState& loop) mutable {
      if (*paused && !resumed) {
        resumed = true;
        return SlotChoice::Resume(0);
      }
      return loop.can_start_new ? SlotChoice::StartNew() : SlotChoice::Wait();
    };
  };
  const Outcome out = run(s);
  std::vector<std::string> kinds;
  for (const Event& e : out.sink.for_trial(0)) kinds.push_back(to_string(e.kind));
  EXPECT_EQ(kinds,
            (std::vector<std::string>{"trial_added", "started", "result", "checkpoint", "decision",
                                      "resumed", "result", "checkpoint", "decision", "result",
                                      "checkpoint", "decision", "finished"}));
  EXPECT_EQ(out.result.trials[0].status, TrialStatus::kCompleted);
  EXPECT_EQ(out.launches.back().restore, "1");
  EXPECT_DOUBLE_EQ(out.result.elapsed, 3);
}

TEST(Tuner, PausedTrialsNeverPromotedEndPaused) {
  Scenario s;
  s.script = [](ScriptedScheduler& sched) {
    sched.on_result_fn = [](TrialId, const Result&, const LoopState&) {
      return Decision::Pause("wait for promotion");
    };
  };
  const Outcome out = run(s);
  EXPECT_EQ(out.result.end_reason, "searcher exhausted");
  for (const TrialRecord& t : out.result.trials) EXPECT_EQ(t.status, TrialStatus::kPaused);
  EXPECT_TRUE(out.finished.empty());
  EXPECT_TRUE(out.sink.of(Event::Kind::kFinished).empty());
}

TEST(Tuner, FreeSlotIsToldWhatCanStartAndWhatWaits) {
  // Pool of 2, one config, paused at resource 1 and never resumed.
  Scenario s;
  s.configs = ScriptedSearcher::numbered(1);
  s.options.pool.cpu = 2;
  std::vector<LoopState> result_states;
  s.script = [&result_states](ScriptedScheduler& sched) {
    sched.on_result_fn = [&result_states](TrialId, const Result&, const LoopState& loop) {
      result_states.push_back(loop);
      return Decision::Pause("yield");
    };
  };
  const Outcome out = run(s);
  auto str = [](const std::vector<LoopState>& states) {
    std::string out_text;
    for (const LoopState& l : states)
      out_text += fmt::format("({} {})", l.can_start_new, l.waiting);
    return out_text;
  };
  // Start trial 0; ask again: the searcher is done; nothing can start. After the pause is
  // replied (the trial still holds its slot) nothing waits yet; after its kExited one waits.
  EXPECT_EQ(str(out.slot_states), "(true 1)(true 1)(false 0)(false 0)(false 1)");
  EXPECT_EQ(str(result_states), "(false 0)");
}

TEST(Tuner, ResumingATrialThatIsNotPausedIsAnError) {
  Scenario s;
  s.script = [](ScriptedScheduler& sched) {
    sched.on_free_slot_fn = [](const LoopState&) { return SlotChoice::Resume(5); };
  };
  try {
    run(s);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_TRUE(e.IsFailedPrecondition());
    EXPECT_STREQ(e.what(), "scheduler 'scripted' asked to resume trial 5, which is unknown");
  }
}

struct BadOptionCase {
  std::function<void(TunerOptions&)> change;
  const char* message;
};

TEST(Tuner, RejectsUnusableOptions) {
  const BadOptionCase cases[] = {
      {[](TunerOptions& o) { o.metric = ""; },
       "options.metric must name the objective's report key"},
      {[](TunerOptions& o) { o.pool.cpu = 0; }, "pool.cpu must be >= 1, got 0"},
      {[](TunerOptions& o) {
         o.pool.gpus = {1, 0, 1};
       },
       "pool.gpus: GPU index 1 is listed twice"},
      {[](TunerOptions& o) { o.pool.gpus = {-1}; }, "pool.gpus: GPU index must be >= 0, got -1"},
      {[](TunerOptions& o) { o.per_trial.cpu = 0; }, "per_trial.cpu must be >= 1, got 0"},
      {[](TunerOptions& o) { o.per_trial.cpu = 3; }, "per_trial.cpu (3) exceeds pool.cpu (2)"},
      {[](TunerOptions& o) { o.per_trial.gpu = 2; }, "per_trial.gpu (2) exceeds the pool's 1 GPUs"},
      {[](TunerOptions& o) { o.per_trial.gpu = -1; }, "per_trial.gpu must be >= 0, got -1"},
      {[](TunerOptions& o) { o.max_failures = -1; }, "max_failures must be >= 0, got -1"},
      {[](TunerOptions& o) { o.budget.max_time = 0.0; },
       "budget.max_time must be > 0 seconds, got 0"},
      {[](TunerOptions& o) { o.budget.max_total_resource = -2.0; },
       "budget.max_total_resource must be > 0, got -2"},
      {[](TunerOptions& o) { o.budget.metric_target = std::nan(""); },
       "budget.metric_target must be finite, got nan"},
  };
  for (const BadOptionCase& c : cases) {
    SCOPED_TRACE(c.message);
    Scenario s;
    s.options.pool = {2, {0}};
    c.change(s.options);
    try {
      run(s);
      ADD_FAILURE() << "expected an error";
    } catch (const Error& e) {
      EXPECT_TRUE(e.IsInvalidArgument());
      EXPECT_STREQ(e.what(), c.message);
    }
  }
}

}  // namespace
}  // namespace tuneq::looptest
