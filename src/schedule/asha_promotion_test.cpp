// ASHA promotion variant (Li et al. 2020, Algorithm 2).
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "schedule/asha_test_options.hpp"
#include "tuneq/scheduler.hpp"

namespace tuneq {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

AshaOptions options(Mode mode, double max_t, double grace, double eta, int brackets = 1) {
  return test_util::asha_options(mode, max_t, grace, eta, brackets);
}

Decision report(Scheduler& s, TrialId id, double t, double v) {
  s.on_trial_added(id, {});  // harmless when repeated: the scheduler only tracks ids
  return s.on_result(id, Result{t, v}, LoopState{});
}

std::string slot(Scheduler& s, bool can_start_new = true) {
  LoopState loop;
  loop.can_start_new = can_start_new;
  const SlotChoice c = s.on_free_slot(loop);
  switch (c.kind) {
    case SlotChoice::Kind::kStartNew:
      return "new";
    case SlotChoice::Kind::kWait:
      return "wait";
    case SlotChoice::Kind::kResume:
      return "resume " + std::to_string(c.trial);
  }
  return "?";
}

// eta = 3, one rung of interest (milestone 1), max mode. Each step: a trial pauses at rung 0
// with a value, or a slot frees. Quota = floor(n / 3) promotions for n recorded.
TEST(AshaPromotion, PromotesTheTopOneOverEtaAtMostFloorNOverEta) {
  auto s = make_asha_promotion(options(Mode::kMax, 27, 1, 3));
  EXPECT_EQ(s->name(), "asha_promotion");
  struct Step {
    TrialId id;  // trial that reports at t = 1, or kSlot
    double value;
    std::string reason;  // expected Pause reason
    std::string choice;  // for a free slot
  };
  constexpr TrialId kSlot = 999;
  const Step steps[] = {
      {0, 5, "paused at rung 0 (1), not in the top 1/3 of 1", ""},
      {1, 3, "paused at rung 0 (1), not in the top 1/3 of 2", ""},
      {kSlot, 0, "", "new"},  // n = 2: floor(2/3) = 0, nothing promotable
      {2, 4, "paused at rung 0 (1), not in the top 1/3 of 3", ""},
      {kSlot, 0, "", "resume 0"},  // n = 3: quota 1; best paused #0 (5) has rank 0 < 1
      {kSlot, 0, "", "new"},       // promoted 1 >= quota 1
      {3, 1, "paused at rung 0 (1), not in the top 1/3 of 4", ""},
      {4, 2, "paused at rung 0 (1), not in the top 1/3 of 5", ""},
      {kSlot, 0, "", "new"},  // n = 5: quota still 1, already used
      {5, 0, "paused at rung 0 (1), not in the top 1/3 of 6", ""},
      {kSlot, 0, "", "resume 2"},  // n = 6: quota 2; best paused #2 (4) has rank 1 < 2
      {kSlot, 0, "", "new"},
  };
  for (const Step& step : steps) {
    if (step.id == kSlot) {
      EXPECT_EQ(slot(*s), step.choice);
      continue;
    }
    const Decision d = report(*s, step.id, 1, step.value);
    EXPECT_EQ(d.action, Action::kPause) << "trial " << step.id;
    EXPECT_EQ(d.reason(), step.reason);
  }
  const RungView rung0 = s->rungs()[0];
  EXPECT_EQ(rung0.recorded, 6u);
  EXPECT_EQ(rung0.promoted, 2u);
  EXPECT_EQ(rung0.paused, 4u);  // #1, #3, #4, #5
}

TEST(AshaPromotion, PromotionsNeverExceedTheQuotaEvenWhenNewcomersRankHigher) {
  // eta 2, min mode. #0 (0.1) and #1 (0.2) pause; #0 is promoted (quota floor(2/2) = 1).
  auto s = make_asha_promotion(options(Mode::kMin, 8, 1, 2));
  report(*s, 0, 1, 0.1);
  report(*s, 1, 1, 0.2);
  EXPECT_EQ(slot(*s), "resume 0");
  // #2 (0.3), #3 (0.4): n = 4, quota 2, promoted 1; best paused #1 (0.2) ranks 1 < 2.
  report(*s, 2, 1, 0.3);
  report(*s, 3, 1, 0.4);
  EXPECT_EQ(slot(*s), "resume 1");
  // #1 failed after promotion; #4 (0.05) and #5 (0.06) arrive: n = 6, quota 3, promoted 2.
  s->on_trial_finished(1, TrialEnd::kFailed);
  report(*s, 4, 1, 0.05);
  report(*s, 5, 1, 0.06);
  EXPECT_EQ(slot(*s), "resume 4");  // best paused, rank 0
  // n = 6, promoted 3 = quota: #5 (rank 1!) waits although the paper's top-k rule would take it.
  EXPECT_EQ(slot(*s, false), "wait");
}

TEST(AshaPromotion, PauseReasonSaysWhetherTheTrialIsInTheTopFraction) {
  AshaOptions o;
  o.mode = Mode::kMax;
  o.max_t = 9;
  o.grace_period = 1;
  o.reduction_factor = 2;
  auto s = make_asha_promotion(o);
  for (TrialId id = 0; id < 3; ++id) s->on_trial_added(id, {});
  // n = 1: floor(1/2) = 0, nobody is in the top yet.
  EXPECT_EQ(s->on_result(0, {1, 0.5}, {}).reason(),
            "paused at rung 0 (1), not in the top 1/2 of 1");
  // n = 2: the top 1 is this trial (0.9 > 0.5).
  EXPECT_EQ(s->on_result(1, {1, 0.9}, {}).reason(), "paused at rung 0 (1), in the top 1/2 of 2");
  // n = 3: still 1 in the top, and it is #1, not this one.
  EXPECT_EQ(s->on_result(2, {1, 0.7}, {}).reason(),
            "paused at rung 0 (1), not in the top 1/2 of 3");
}

TEST(AshaPromotion, HigherRungsPromoteFirst) {
  // eta 2, max_t 8: rungs 1, 2, 4 (8 = max_t is not promoted from).
  auto s = make_asha_promotion(options(Mode::kMax, 8, 1, 2));
  for (TrialId id = 0; id < 8; ++id) report(*s, id, 1, static_cast<double>(id));
  // n = 8 at rung 0, quota 4: the best are #7, #6, #5, #4.
  EXPECT_EQ(slot(*s), "resume 7");
  EXPECT_EQ(slot(*s), "resume 6");
  // #7 and #6 reach rung 1 (milestone 2): n = 2, quota 1 there.
  Decision d = report(*s, 7, 2, 70);
  EXPECT_EQ(d.reason(), "paused at rung 1 (2), not in the top 1/2 of 1");
  d = report(*s, 6, 2, 60);
  EXPECT_EQ(d.reason(), "paused at rung 1 (2), not in the top 1/2 of 2");
  EXPECT_EQ(slot(*s), "resume 7");  // rung 1 before rung 0's #5
  EXPECT_EQ(slot(*s), "resume 5");  // rung 1 spent; back to rung 0
  // #7 reaches rung 2 (4) alone: floor(1/2) = 0, nothing there; rung 0 still has #4.
  EXPECT_EQ(report(*s, 7, 4, 700).action, Action::kPause);
  EXPECT_EQ(slot(*s), "resume 4");
  EXPECT_EQ(slot(*s, false), "wait");
  // Between rungs: continue silently. At max_t: completed.
  d = report(*s, 5, 1.5, 1);
  EXPECT_EQ(d.action, Action::kContinue);
  EXPECT_EQ(d.reason(), "");
  d = report(*s, 4, 8, 1);
  EXPECT_EQ(d.action, Action::kStop);
  EXPECT_TRUE(d.completed);
  EXPECT_EQ(d.reason(), "reached max_t 8");
}

TEST(AshaPromotion, EqualMilestonesAcrossBracketsPreferTheHigherRungIndex) {
  // eta 2, max_t 8, 2 brackets: bracket 0 rungs 1, 2, 4; bracket 1 rungs 2, 4. Even ids go to
  // bracket 0, odd ids to bracket 1. All four pause at milestone 2: rung 1 of bracket 0 and rung
  // 0 of bracket 1, quota floor(2/2) = 1 in each.
  auto s = make_asha_promotion(options(Mode::kMax, 8, 1, 2, 2));
  EXPECT_EQ(report(*s, 0, 2, 1).reason(), "paused at rung 1 (2), not in the top 1/2 of 1");
  EXPECT_EQ(report(*s, 1, 2, 10).reason(), "paused at rung 0 (2), not in the top 1/2 of 1");
  report(*s, 2, 2, 2);
  report(*s, 3, 2, 20);
  EXPECT_EQ(slot(*s), "resume 2");  // bracket 0's rung 1 first, despite worse values
  EXPECT_EQ(slot(*s), "resume 3");
  EXPECT_EQ(slot(*s), "new");
}

TEST(AshaPromotion, FinishedPausedTrialsAreNoLongerCandidatesButStillCount) {
  auto s = make_asha_promotion(options(Mode::kMax, 27, 1, 3));
  report(*s, 0, 1, 5);
  report(*s, 1, 1, 3);
  report(*s, 2, 1, 4);
  s->on_trial_finished(0, TrialEnd::kStopped);  // the best paused trial ends
  // n = 3 still (its score stays recorded), quota 1; best paused now #2 (4) at rank 1: not < 1.
  EXPECT_EQ(slot(*s), "new");
  EXPECT_EQ(slot(*s, false), "wait");
  const RungView rung0 = s->rungs()[0];
  EXPECT_EQ(rung0.recorded, 3u);
  EXPECT_EQ(rung0.paused, 2u);
  EXPECT_EQ(rung0.promoted, 0u);
  // An ended trial that reports again is told to stop.
  EXPECT_EQ(report(*s, 0, 2, 9).action, Action::kStop);
}

TEST(AshaPromotion, NaNIsRecordedAsWorstAndNeverPromoted) {
  auto s = make_asha_promotion(options(Mode::kMin, 27, 1, 3));
  const Decision d = report(*s, 0, 1, kNaN);
  EXPECT_EQ(d.action, Action::kStop);
  EXPECT_FALSE(d.completed);
  EXPECT_EQ(d.reason(), "metric is NaN at rung 0 (1)");
  EXPECT_EQ(report(*s, 1, 1, 0.7).reason(),
            "paused at rung 0 (1), not in the top 1/3 of 2");  // NaN last
  EXPECT_EQ(slot(*s), "new");                                  // n = 2: quota 0
  report(*s, 2, 1, 0.9);
  EXPECT_EQ(slot(*s), "resume 1");  // n = 3 (NaN counts): quota 1
  EXPECT_EQ(slot(*s), "new");
  EXPECT_EQ(s->rungs()[0].recorded, 3u);
}

TEST(AshaPromotion, JumpsRecordOnlyTheHighestRungAndPausedReportsStayPaused) {
  // Rungs 1, 3, 9 (27 = max_t).
  auto s = make_asha_promotion(options(Mode::kMax, 27, 1, 3));
  Decision d = report(*s, 0, 10, 1);
  EXPECT_EQ(d.action, Action::kPause);
  EXPECT_EQ(d.reason(), "paused at rung 2 (9), not in the top 1/3 of 1");
  // A report that was already in flight when it paused: the answer stands, nothing recorded.
  d = report(*s, 0, 11, 2);
  EXPECT_EQ(d.action, Action::kPause);
  EXPECT_EQ(d.reason(), "already paused at rung 2 (9)");
  const std::vector<RungView> views = s->rungs();
  ASSERT_EQ(views.size(), 4u);
  EXPECT_EQ(views[0].recorded, 0u);
  EXPECT_EQ(views[1].recorded, 0u);
  EXPECT_EQ(views[2].recorded, 1u);
  EXPECT_EQ(views[3].resource, 27);
  // Straight to max_t: recorded at the max_t rung and completed.
  d = report(*s, 1, 30, 3);
  EXPECT_TRUE(d.completed);
  EXPECT_EQ(d.reason(), "reached max_t 27");
  EXPECT_EQ(s->rungs()[3].recorded, 1u);
}

TEST(AshaPromotion, PromotedTrialsPauseAgainAtTheNextRungOnly) {
  auto s = make_asha_promotion(options(Mode::kMax, 27, 1, 3));
  report(*s, 0, 1, 9);
  report(*s, 1, 1, 1);
  report(*s, 2, 1, 2);
  ASSERT_EQ(slot(*s), "resume 0");
  // Resumed from resource 1: nothing new until 3.
  EXPECT_EQ(report(*s, 0, 2, 9).action, Action::kContinue);
  EXPECT_EQ(report(*s, 0, 3, 9).reason(), "paused at rung 1 (3), not in the top 1/3 of 1");
  // Rung 0 is not recorded again.
  EXPECT_EQ(s->rungs()[0].recorded, 3u);
  EXPECT_EQ(s->rungs()[1].recorded, 1u);
  EXPECT_EQ(s->rungs()[1].paused, 1u);
  EXPECT_EQ(s->rungs()[0].promoted, 1u);
}

TEST(AshaPromotion, NonIntegerEtaFloorsTheQuota) {
  // eta 2.5: n = 2 -> floor(0.8) = 0; n = 3 -> floor(1.2) = 1; n = 5 -> 2.
  auto s = make_asha_promotion(options(Mode::kMax, 10, 1, 2.5));
  report(*s, 0, 1, 1);
  report(*s, 1, 1, 2);
  EXPECT_EQ(slot(*s), "new");
  report(*s, 2, 1, 3);
  EXPECT_EQ(slot(*s), "resume 2");
  report(*s, 3, 1, 0);
  EXPECT_EQ(slot(*s), "new");  // n = 4: floor(1.6) = 1, used
  report(*s, 4, 1, -1);
  EXPECT_EQ(slot(*s), "resume 1");  // n = 5: quota 2; #1 ranks 1
}

}  // namespace
}  // namespace tuneq
