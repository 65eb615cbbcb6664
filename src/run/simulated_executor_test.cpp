// The simulated executor on its own: event order and virtual times worked out by hand.
#include "tuneq/simulated.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tuneq/error.hpp"

namespace tuneq {
namespace {

// Trial config {"cost": c}: every step costs c seconds; loss = 10 * cost + step.
SimulatedTrial costed(std::uint64_t max_steps) {
  SimulatedTrial sim;
  sim.curve = [](const Config& c, std::uint64_t step) {
    return 10 * c.at("cost").as_float() + static_cast<double>(step);
  };
  sim.step_cost = [](const Config& c, std::uint64_t) { return c.at("cost").as_float(); };
  sim.max_steps = max_steps;
  return sim;
}

LaunchRequest request(TrialId id, double cost, std::optional<std::string> restore = {}) {
  LaunchRequest r;
  r.trial = id;
  r.config = Config{{"cost", Value(cost)}};
  r.restore = std::move(restore);
  return r;
}

// "t=2 result 0 step=1 loss=21 ckpt=1" / "t=3 exit 1 ok"
std::string describe(const std::optional<ExecutorEvent>& e) {
  if (!e) return "none";
  if (e->kind == ExecutorEvent::Kind::kExited) {
    return fmt::format("t={} exit {} {}", e->time, e->trial, e->ok ? "ok" : "failed");
  }
  return fmt::format("t={} result {} step={} loss={} ckpt={}", e->time, e->trial,
                     e->metrics.at("step"), e->metrics.at("loss"), e->checkpoint.value_or("-"));
}

TEST(SimulatedExecutor, ReportsAtSumsOfStepCostsAndExitsOnReply) {
  ManualClock clock;
  auto ex = make_simulated_executor(costed(2), clock);
  ex->launch(request(0, 2));
  ex->launch(request(1, 3));
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(describe(ex->next_event(inf)), "t=2 result 0 step=1 loss=21 ckpt=1");
  ex->reply(0, Action::kContinue);  // next report at 2 + 2
  EXPECT_EQ(describe(ex->next_event(inf)), "t=3 result 1 step=1 loss=31 ckpt=1");
  ex->reply(1, Action::kPause);  // exits now
  EXPECT_EQ(describe(ex->next_event(inf)), "t=3 exit 1 ok");
  EXPECT_EQ(describe(ex->next_event(inf)), "t=4 result 0 step=2 loss=22 ckpt=2");
  ex->reply(0, Action::kContinue);  // step 2 == max_steps: completes now
  EXPECT_EQ(describe(ex->next_event(inf)), "t=4 exit 0 ok");
  EXPECT_EQ(describe(ex->next_event(inf)), "none");
  EXPECT_EQ(clock.now(), 4);
}

TEST(SimulatedExecutor, DeadlineBeforeTheNextEventMovesTheClockToIt) {
  ManualClock clock;
  auto ex = make_simulated_executor(costed(5), clock);
  ex->launch(request(0, 2));
  EXPECT_EQ(describe(ex->next_event(1.5)), "none");
  EXPECT_EQ(clock.now(), 1.5);
  EXPECT_EQ(describe(ex->next_event(2.0)), "t=2 result 0 step=1 loss=21 ckpt=1");  // <= deadline
}

TEST(SimulatedExecutor, EqualTimesComeOutInTrialIdOrder) {
  ManualClock clock;
  auto ex = make_simulated_executor(costed(1), clock);
  ex->launch(request(5, 1));
  ex->launch(request(2, 1));
  ex->launch(request(9, 1));
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(describe(ex->next_event(inf)), "t=1 result 2 step=1 loss=11 ckpt=1");
  ex->reply(2, Action::kStop);
  // Trial 2's exit at t=1 ranks before trial 5's report at t=1.
  EXPECT_EQ(describe(ex->next_event(inf)), "t=1 exit 2 ok");
  EXPECT_EQ(describe(ex->next_event(inf)), "t=1 result 5 step=1 loss=11 ckpt=1");
  ex->reply(5, Action::kContinue);
  EXPECT_EQ(describe(ex->next_event(inf)), "t=1 exit 5 ok");
  EXPECT_EQ(describe(ex->next_event(inf)), "t=1 result 9 step=1 loss=11 ckpt=1");
}

TEST(SimulatedExecutor, RestoreContinuesFromTheCheckpointStep) {
  ManualClock clock(10);
  auto ex = make_simulated_executor(costed(5), clock);
  ex->launch(request(0, 0.5, "3"));
  EXPECT_EQ(describe(ex->next_event(100)), "t=10.5 result 0 step=4 loss=9 ckpt=4");
  ex->launch(request(1, 1, "5"));  // already at max_steps: exits at once
  ex->reply(0, Action::kContinue);
  EXPECT_EQ(describe(ex->next_event(100)), "t=10.5 exit 1 ok");
  EXPECT_EQ(describe(ex->next_event(100)), "t=11 result 0 step=5 loss=10 ckpt=5");
}

TEST(SimulatedExecutor, CancelDropsTheScheduledReport) {
  ManualClock clock;
  auto ex = make_simulated_executor(costed(5), clock);
  ex->launch(request(0, 2));
  ex->launch(request(1, 1));
  EXPECT_EQ(describe(ex->next_event(10)), "t=1 result 1 step=1 loss=11 ckpt=1");
  ex->reply(1, Action::kContinue);
  ex->cancel(0);  // its report at t=2 never comes
  EXPECT_EQ(describe(ex->next_event(10)), "t=1 exit 0 ok");
  ex->cancel(1);
  EXPECT_EQ(describe(ex->next_event(10)), "t=1 exit 1 ok");
  EXPECT_EQ(describe(ex->next_event(10)), "none");
  EXPECT_EQ(clock.now(), 1);  // nothing queued: the clock stays
  ex->cancel(1);              // not running: nothing happens
  EXPECT_EQ(describe(ex->next_event(10)), "none");
  ex->launch(request(0, 2, "1"));  // relaunch after a cancel
  EXPECT_EQ(describe(ex->next_event(10)), "t=3 result 0 step=2 loss=22 ckpt=2");
}

TEST(SimulatedExecutor, RejectsMisuse) {
  ManualClock clock;
  auto ex = make_simulated_executor(costed(5), clock);
  EXPECT_THROW(ex->launch(request(0, 1, "three")), Error);
  ex->launch(request(0, 1));
  EXPECT_THROW(ex->launch(request(0, 1)), Error);        // already running
  EXPECT_THROW(ex->reply(0, Action::kContinue), Error);  // no report to answer yet
  SimulatedTrial no_curve = costed(5);
  no_curve.curve = nullptr;
  EXPECT_THROW(make_simulated_executor(no_curve, clock), Error);
}

}  // namespace
}  // namespace tuneq
