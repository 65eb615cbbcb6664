// Group commit (tuner_loop.cpp): events behind "continue" replies are flushed once the oldest of
// them is kGroupCommitSeconds old; launches and pause/stop replies are flushed at once.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "run/tuner_loop.hpp"
#include "tuneq/clock.hpp"
#include "tuneq/event.hpp"
#include "tuneq/scheduler.hpp"
#include "tuneq/searcher.hpp"
#include "tuneq/simulated.hpp"
#include "tuneq/space.hpp"
#include "tuneq/tuner.hpp"

namespace tuneq {
namespace {

// Remembers, for each flush, how many events had been appended and the clock time.
class FlushRecorder final : public EventSink {
 public:
  explicit FlushRecorder(const Clock& clock) : clock_(clock) {}
  void append(const Event& event) override { events.push_back(event); }
  void flush() override { flushes.push_back({events.size(), clock_.now()}); }

  struct Flush {
    std::size_t events;  // events[0 .. events) were durable after it
    double time;
  };
  std::vector<Event> events;
  std::vector<Flush> flushes;

 private:
  const Clock& clock_;
};

struct Recorded {
  std::vector<Event> events;
  std::vector<FlushRecorder::Flush> flushes;
};

// One trial reporting every 0.1 s; ASHA completes it (a stop reply) at resource `max_t`.
Recorded run_one_trial(double max_t) {
  ManualClock clock(0);
  SimulatedTrial sim;
  sim.curve = [](const Config&, std::uint64_t step) { return 1.0 / static_cast<double>(step); };
  sim.step_cost = [](const Config&, std::uint64_t) { return 0.1; };
  sim.max_steps = 100;
  auto executor = make_simulated_executor(sim, clock);
  FlushRecorder sink(clock);
  Space space;
  space.add("x", Domain::Uniform(0, 1));
  AshaOptions asha;
  asha.max_t = max_t;
  asha.grace_period = 1;
  asha.reduction_factor = 3;
  TunerOptions options;
  options.metric = "loss";
  options.resource_attr = "step";
  options.budget.max_trials = 1;
  Tuner tuner(options, make_random_search(space, {.seed = 1, .num_samples = 1}),
              make_asha_stopping(asha), *executor, clock, &sink);
  tuner.run();
  return {sink.events, sink.flushes};
}

TEST(TunerGroupCommit, ContinueRepliesAreCommittedInGroupsWithBoundedLag) {
  const Recorded run = run_one_trial(/*max_t=*/30);
  std::size_t results = 0;
  for (const Event& e : run.events) results += e.kind == Event::Kind::kResult ? 1 : 0;
  ASSERT_EQ(results, 30u);
  // 30 replies, but only about one commit per kGroupCommitSeconds of reports (plus the launch,
  // the final stop and the end).
  EXPECT_LT(run.flushes.size(), 20u);
  EXPECT_GT(run.flushes.size(), 3u);
  // Every event is durable no later than kGroupCommitSeconds plus one report interval (0.1 s:
  // the lag is checked at each reply) after it happened.
  for (std::size_t i = 0; i < run.events.size(); ++i) {
    const Event& e = run.events[i];
    double durable_at = INFINITY;
    for (const FlushRecorder::Flush& f : run.flushes) {
      if (f.events > i) {
        durable_at = f.time;
        break;
      }
    }
    EXPECT_LE(durable_at - e.time, detail::kGroupCommitSeconds + 0.1 + 1e-9)
        << "event " << i << " (" << to_string(e.kind) << " at " << e.time << ")";
  }
}

TEST(TunerGroupCommit, LaunchesAndStopRepliesAreFlushedAtOnce) {
  const Recorded run = run_one_trial(/*max_t=*/30);
  // The launch: trial_added and started are durable before the first result exists.
  ASSERT_FALSE(run.flushes.empty());
  EXPECT_GE(run.flushes.front().events, 2u);
  EXPECT_EQ(run.events[1].kind, Event::Kind::kStarted);
  EXPECT_EQ(run.flushes.front().time, 0);
  // The stop decision at resource 30 is durable before the trial's end is recorded (the reply
  // that ends the trial goes out in between).
  std::size_t stop = 0;
  for (std::size_t i = 0; i < run.events.size(); ++i) {
    if (run.events[i].kind == Event::Kind::kDecision &&
        run.events[i].data.find("\"stop\"") != std::string::npos) {
      stop = i;
    }
  }
  ASSERT_GT(stop, 0u);
  ASSERT_EQ(run.events[stop + 1].kind, Event::Kind::kFinished);
  bool flushed_between = false;
  for (const FlushRecorder::Flush& f : run.flushes) {
    flushed_between = flushed_between || f.events == stop + 1;
  }
  EXPECT_TRUE(flushed_between);
}

// Forwards to a simulated executor and records, at each checkpoint deletion, whether every event
// appended so far had been flushed.
class DiscardWatch final : public Executor {
 public:
  DiscardWatch(Executor& inner, const FlushRecorder& sink) : inner_(inner), sink_(sink) {}
  void launch(const LaunchRequest& request) override { inner_.launch(request); }
  void reply(TrialId trial, Action action) override { inner_.reply(trial, action); }
  void cancel(TrialId trial) override { inner_.cancel(trial); }
  std::optional<ExecutorEvent> next_event(double deadline) override {
    return inner_.next_event(deadline);
  }
  void discard_checkpoint(TrialId owner, const std::string& checkpoint) override {
    const std::size_t flushed = sink_.flushes.empty() ? 0 : sink_.flushes.back().events;
    unflushed_at_discard.push_back(sink_.events.size() - flushed);
    inner_.discard_checkpoint(owner, checkpoint);
  }
  std::vector<std::size_t> unflushed_at_discard;

 private:
  Executor& inner_;
  const FlushRecorder& sink_;
};

TEST(TunerGroupCommit, ACheckpointIsDeletedOnlyOnceTheOneReplacingItIsDurable) {
  // checkpoint_keep 1: each report's checkpoint deletes the previous one. The reports are
  // continues, group-committed; the deletion must not wait for that group, or a crash in between
  // leaves the log naming a deleted checkpoint as the trial's latest.
  ManualClock clock(0);
  SimulatedTrial sim;
  sim.curve = [](const Config&, std::uint64_t step) { return 1.0 / static_cast<double>(step); };
  sim.step_cost = [](const Config&, std::uint64_t) { return 0.01; };
  sim.max_steps = 20;
  auto simulated = make_simulated_executor(sim, clock);
  FlushRecorder sink(clock);
  DiscardWatch executor(*simulated, sink);
  Space space;
  space.add("x", Domain::Uniform(0, 1));
  TunerOptions options;
  options.metric = "loss";
  options.resource_attr = "step";
  options.budget.max_trials = 1;
  options.checkpoint_keep = 1;
  Tuner tuner(options, make_random_search(space, {.seed = 1, .num_samples = 1}),
              make_fifo_scheduler(), executor, clock, &sink);
  tuner.run();
  ASSERT_EQ(executor.unflushed_at_discard.size(), 19u);  // checkpoints 1..19 replaced
  for (std::size_t unflushed : executor.unflushed_at_discard) EXPECT_EQ(unflushed, 0u);
}

}  // namespace
}  // namespace tuneq
