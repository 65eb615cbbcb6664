#include <cmath>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

#include "tuneq/scheduler.hpp"

namespace tuneq {
namespace {

TEST(FifoScheduler, ContinuesEveryResultWithoutAReason) {
  auto fifo = make_fifo_scheduler();
  EXPECT_EQ(fifo->name(), "fifo");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<Result> results = {
      {1, 0.5}, {2, nan}, {1e9, -std::numeric_limits<double>::infinity()}, {0, 1e300}};
  TrialId id = 0;
  for (const Result& r : results) {
    fifo->on_trial_added(id, {});
    const Decision d = fifo->on_result(id, r, LoopState{});
    EXPECT_EQ(d.action, Action::kContinue);
    EXPECT_FALSE(d.completed);
    EXPECT_EQ(d.reason(), "");
    ++id;
  }
  EXPECT_TRUE(fifo->take_trials_to_stop().empty());
  EXPECT_TRUE(fifo->rungs().empty());
}

TEST(FifoScheduler, StartsNewTrialsWhenTheLoopCanElseWaits) {
  auto fifo = make_fifo_scheduler();
  struct Case {
    LoopState loop;
    SlotChoice::Kind expected;
  };
  const std::vector<Case> cases = {
      {{true, 0}, SlotChoice::Kind::kStartNew},
      {{true, 5}, SlotChoice::Kind::kStartNew},
      {{false, 0}, SlotChoice::Kind::kWait},
      {{false, 3}, SlotChoice::Kind::kWait},  // FIFO never pauses, so it has nothing to resume
  };
  for (const Case& c : cases) EXPECT_EQ(fifo->on_free_slot(c.loop).kind, c.expected);
}

}  // namespace
}  // namespace tuneq
