// The in-process executor: real trainables on real threads, alone and under the Tuner.
// Every test name contains InProcess so the ThreadSanitizer preset runs them.
#include "tuneq/inprocess.hpp"

#include <atomic>
#include <chrono>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "run/test_doubles.hpp"
#include "tuneq/clock.hpp"
#include "tuneq/error.hpp"
#include "tuneq/tuner.hpp"

namespace tuneq {
namespace {

constexpr double kForever = std::numeric_limits<double>::infinity();

// Counts steps from the restored checkpoint (or 0), saves a checkpoint and reports each step,
// until `steps` or until told to pause/stop. loss = x + 1/step.
Trainable counting_trainable(int steps) {
  return [steps](TrialContext& ctx) {
    int step = ctx.restore() ? std::stoi(*ctx.restore()) : 0;
    const double x = static_cast<double>(ctx.config().at("x").as_int());
    while (step < steps) {
      ++step;
      ctx.save_checkpoint(std::to_string(step));
      if (ctx.report({{"step", step}, {"loss", x + 1.0 / step}}) != Action::kContinue) return;
    }
  };
}

LaunchRequest launch_of(TrialId id, std::optional<std::string> restore = {}) {
  LaunchRequest r;
  r.trial = id;
  r.config = Config{{"x", Value(static_cast<std::int64_t>(id))}};
  r.restore = std::move(restore);
  return r;
}

ExecutorEvent next(Executor& ex) {
  std::optional<ExecutorEvent> e = ex.next_event(kForever);
  if (!e) throw std::runtime_error("no event");
  return *e;
}

TEST(InProcessExecutor, PauseAndResumeContinueFromTheCheckpoint) {
  auto ex = make_inprocess_executor(counting_trainable(5), 2);
  ex->launch(launch_of(0));
  ExecutorEvent e = next(*ex);
  EXPECT_EQ(e.kind, ExecutorEvent::Kind::kResult);
  EXPECT_EQ(e.metrics.at("step"), 1);
  EXPECT_EQ(e.checkpoint, "mem:0:1");
  ex->reply(0, Action::kContinue);
  e = next(*ex);
  EXPECT_EQ(e.metrics.at("step"), 2);
  EXPECT_EQ(e.checkpoint, "mem:0:2");
  ex->reply(0, Action::kPause);
  e = next(*ex);
  EXPECT_EQ(e.kind, ExecutorEvent::Kind::kExited);
  EXPECT_TRUE(e.ok);

  ex->launch(launch_of(0, "mem:0:2"));
  e = next(*ex);
  EXPECT_EQ(e.metrics.at("step"), 3);  // went on from the saved "2"
  EXPECT_EQ(e.checkpoint, "mem:0:3");
  ex->reply(0, Action::kStop);
  EXPECT_EQ(next(*ex).kind, ExecutorEvent::Kind::kExited);
  EXPECT_EQ(ex->next_event(kForever), std::nullopt);  // nothing runs

  ex->discard_checkpoint(0, "mem:0:1");
  EXPECT_THROW(ex->launch(launch_of(1, "mem:0:1")), Error);  // discarded
  EXPECT_THROW(ex->launch(launch_of(1, "/tmp/ckpt")), Error);
}

TEST(InProcessExecutor, ThrowingTrainableExitsFailedWithTheMessage) {
  auto ex = make_inprocess_executor(
      [](TrialContext& ctx) {
        if (ctx.trial_id() == 1) throw 42;
        throw std::runtime_error("out of memory");
      },
      2);
  ex->launch(launch_of(0));
  ex->launch(launch_of(1));
  std::map<TrialId, ExecutorEvent> exits;
  for (int i = 0; i < 2; ++i) {
    ExecutorEvent e = next(*ex);
    exits[e.trial] = e;
  }
  EXPECT_FALSE(exits.at(0).ok);
  EXPECT_EQ(exits.at(0).exit_code, 1);
  EXPECT_EQ(exits.at(0).error, "out of memory");
  EXPECT_FALSE(exits.at(1).ok);
  EXPECT_EQ(exits.at(1).error, "unknown exception");
}

TEST(InProcessExecutor, CancelAnswersThePendingReportAndLaterReportsAtOnce) {
  std::atomic<int> later_answers_stop{0};
  auto ex = make_inprocess_executor(
      [&](TrialContext& ctx) {
        if (ctx.report({{"loss", 1}}) != Action::kStop) return;
        // Reports after the stop are not events; they get kStop straight back.
        for (int i = 0; i < 3; ++i)
          later_answers_stop += ctx.report({{"loss", 2}}) == Action::kStop;
      },
      1);
  ex->launch(launch_of(0));
  EXPECT_EQ(next(*ex).kind, ExecutorEvent::Kind::kResult);
  ex->cancel(0);
  ExecutorEvent e = next(*ex);
  EXPECT_EQ(e.kind, ExecutorEvent::Kind::kExited);
  EXPECT_TRUE(e.ok);
  EXPECT_EQ(later_answers_stop.load(), 3);
  ex->reply(0, Action::kContinue);  // a late reply to the cancelled report is ignored
  EXPECT_EQ(ex->next_event(kForever), std::nullopt);
}

TEST(InProcessExecutor, CancelDropsALaunchStillWaitingForAThread) {
  std::atomic<bool> release{false};
  std::atomic<int> runs{0};
  auto ex = make_inprocess_executor(
      [&](TrialContext&) {
        ++runs;
        while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      },
      1);
  ex->launch(launch_of(0));
  ex->launch(launch_of(1));  // waits: the only thread runs trial 0
  ex->cancel(1);
  ExecutorEvent e = next(*ex);
  EXPECT_EQ(e.trial, 1u);
  EXPECT_EQ(e.kind, ExecutorEvent::Kind::kExited);
  release = true;
  EXPECT_EQ(next(*ex).trial, 0u);
  EXPECT_EQ(runs.load(), 1);
}

TEST(InProcessExecutor, NextEventGivesUpAtTheDeadline) {
  ManualClock clock(100);
  std::atomic<bool> release{false};
  auto ex = make_inprocess_executor(
      [&](TrialContext& ctx) {
        while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        ctx.report({{"loss", 1}});
      },
      1, &clock);
  ex->launch(launch_of(0));
  EXPECT_EQ(ex->next_event(100), std::nullopt);  // deadline reached on the given clock
  release = true;
  ExecutorEvent e = next(*ex);
  EXPECT_EQ(e.time, 100);  // stamped with the given clock
  ex->reply(0, Action::kContinue);
  EXPECT_EQ(next(*ex).kind, ExecutorEvent::Kind::kExited);
}

TEST(InProcessExecutor, DestroyingWithRunningTrialsStopsThem) {
  std::atomic<int> stops{0};
  {
    auto ex = make_inprocess_executor(
        [&](TrialContext& ctx) {
          stops += ctx.report({{"loss", 1}}) == Action::kStop;
        },
        3);
    for (TrialId id = 0; id < 5; ++id) ex->launch(launch_of(id));  // two never start
    for (int i = 0; i < 3; ++i) EXPECT_EQ(next(*ex).kind, ExecutorEvent::Kind::kResult);
  }
  EXPECT_EQ(stops.load(), 3);
}

// ---- Under the tuner ----

TEST(TunerInProcess, RunsRealTrainablesOnFourThreads) {
  std::atomic<int> running{0};
  std::atomic<int> most_running{0};
  Trainable inner = counting_trainable(5);
  auto ex = make_inprocess_executor(
      [&](TrialContext& ctx) {
        int now = ++running;
        int seen = most_running.load();
        while (now > seen && !most_running.compare_exchange_weak(seen, now)) {
        }
        inner(ctx);
        --running;
      },
      4);
  auto clock = make_system_clock();
  TunerOptions options;
  options.metric = "loss";
  options.pool.cpu = 4;
  looptest::MemorySink sink;
  Tuner tuner(options,
              std::make_unique<looptest::ScriptedSearcher>(looptest::ScriptedSearcher::numbered(8)),
              std::make_unique<looptest::ScriptedScheduler>(), *ex, *clock, &sink);
  const TuneResult result = tuner.run();
  ASSERT_EQ(result.trials.size(), 8u);
  for (const TrialRecord& t : result.trials) {
    EXPECT_EQ(t.status, TrialStatus::kCompleted);
    EXPECT_EQ(t.num_results, 5u);
    EXPECT_EQ(t.checkpoint, fmt::format("mem:{}:5", t.id));
  }
  EXPECT_EQ(result.num_results, 40u);
  EXPECT_EQ(result.best, TrialId{0});
  EXPECT_DOUBLE_EQ(result.best_value, 0.2);
  EXPECT_LE(most_running.load(), 4);
  EXPECT_EQ(result.end_reason, "searcher exhausted");
}

TEST(TunerInProcess, PausedTrialsResumeFromTheirCheckpoints) {
  // Every trial pauses at step 2; once the searcher is done the scheduler resumes them one by
  // one, and each goes on with step 3 (resource_attr "step" comes from the trainable).
  auto clock = make_system_clock();
  auto ex = make_inprocess_executor(counting_trainable(4), 2, clock.get());
  TunerOptions options;
  options.metric = "loss";
  options.resource_attr = "step";
  options.pool.cpu = 2;
  auto scheduler = std::make_unique<looptest::ScriptedScheduler>();
  std::vector<TrialId> paused;
  scheduler->on_result_fn = [&paused](TrialId id, const Result& r, const LoopState&) {
    if (r.resource != 2) return Decision::Continue();
    paused.push_back(id);
    return Decision::Pause("halfway");
  };
  scheduler->on_free_slot_fn = [&paused](const LoopState& loop) {
    if (loop.can_start_new) return SlotChoice::StartNew();
    if (paused.empty()) return SlotChoice::Wait();
    const TrialId id = paused.back();
    paused.pop_back();
    return SlotChoice::Resume(id);
  };
  looptest::MemorySink sink;
  Tuner tuner(options,
              std::make_unique<looptest::ScriptedSearcher>(looptest::ScriptedSearcher::numbered(3)),
              std::move(scheduler), *ex, *clock, &sink);
  const TuneResult result = tuner.run();
  for (const TrialRecord& t : result.trials) {
    EXPECT_EQ(t.status, TrialStatus::kCompleted);
    EXPECT_EQ(t.resource, 4);
    EXPECT_EQ(t.num_results, 4u);  // 1, 2 | 3, 4: nothing repeated, nothing skipped
  }
  EXPECT_EQ(sink.of(Event::Kind::kResumed).size(), 3u);
}

TEST(TunerInProcess, CrashedTrainableIsRetriedFromItsCheckpoint) {
  std::atomic<int> crashes{0};
  Trainable inner = counting_trainable(3);
  auto ex = make_inprocess_executor(
      [&](TrialContext& ctx) {
        if (!ctx.restore()) {
          ctx.save_checkpoint("1");
          ctx.report({{"step", 1}, {"loss", 1.0}});
          ++crashes;
          throw std::runtime_error("segfault in step 2");
        }
        inner(ctx);
      },
      1);
  auto clock = make_system_clock();
  TunerOptions options;
  options.metric = "loss";
  options.max_failures = 1;
  looptest::MemorySink sink;
  Tuner tuner(options,
              std::make_unique<looptest::ScriptedSearcher>(looptest::ScriptedSearcher::numbered(1)),
              std::make_unique<looptest::ScriptedScheduler>(), *ex, *clock, &sink);
  const TuneResult result = tuner.run();
  EXPECT_EQ(crashes.load(), 1);
  EXPECT_EQ(result.trials[0].status, TrialStatus::kCompleted);
  EXPECT_EQ(result.trials[0].failures, 1);
  EXPECT_EQ(result.trials[0].num_results, 3u);  // step 1, then steps 2 and 3 after the retry
  ASSERT_EQ(sink.of(Event::Kind::kFailed).size(), 1u);
  EXPECT_EQ(sink.of(Event::Kind::kFailed)[0].data,
            R"({"exit_code":1,"error":"segfault in step 2","attempt":1,"final":false})");
}

}  // namespace
}  // namespace tuneq
