// ASHA stopping variant (Ray Tune's AsyncHyperBandScheduler semantics) and asha_plan.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "schedule/asha_test_options.hpp"
#include "tuneq/error.hpp"
#include "tuneq/plan.hpp"
#include "tuneq/scheduler.hpp"

namespace tuneq {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

AshaOptions options(Mode mode, double max_t, double grace, double eta, int brackets = 1) {
  return test_util::asha_options(mode, max_t, grace, eta, brackets);
}

Decision report(Scheduler& s, TrialId id, double t, double v) {
  return s.on_result(id, Result{t, v}, LoopState{});
}

// Adds trials 0..n-1 and has each report `values[i]` at resource t.
void fill(Scheduler& s, double t, const std::vector<double>& values) {
  for (TrialId id = 0; id < values.size(); ++id) {
    s.on_trial_added(id, {});
    report(s, id, t, values[id]);
  }
}

std::vector<double> plan_resources(const BracketPlan& plan) {
  std::vector<double> out;
  for (const RungPlan& r : plan.rungs) {
    EXPECT_EQ(r.trials, 0u);
    out.push_back(r.resource);
  }
  return out;
}

TEST(AshaPlan, RungMilestones) {
  struct Case {
    double max_t, grace, eta;
    int brackets;
    std::vector<std::vector<double>> expected;  // per bracket: milestones, then max_t if above
  };
  const Case cases[] = {
      // 1*3^k <= 27: 1, 3, 9, 27. 27 == max_t is a milestone (Ray's formula includes it), so no
      // extra max_t entry; a trial at 27 is stopped as completed before that rung judges it.
      {27, 1, 3, 1, {{1, 3, 9, 27}}},
      // eta = 4, 3 brackets: s = 0 from 1, s = 1 from 4, s = 2 from 16; 256 > 100 ends each.
      {100, 1, 4, 3, {{1, 4, 16, 64, 100}, {4, 16, 64, 100}, {16, 64, 100}}},
      // Floating edge: 0.1 * 10 = 1, *10 = 10, *10 = 100 == max_t: a rung, no extra entry.
      {100, 0.1, 10, 1, {{0.1, 1, 10, 100}}},
      // 0.1 * 3 = 0.30000000000000004 in doubles: within 1e-12 of max_t 0.3, so it is max_t.
      {0.3, 0.1, 3, 1, {{0.1, 0.3}}},
      // Products are rounded to 12 significant digits: 0.3, 0.9 (not 0.9000000000000001).
      {1, 0.1, 3, 1, {{0.1, 0.3, 0.9, 1}}},
      // Ray's docstring bracket: min_t 1, max_t 10, rf 2.
      {10, 1, 2, 1, {{1, 2, 4, 8, 10}}},
      // Bracket 1 would start at 10 > max_t 5: no rung, only the max_t entry.
      {5, 5, 2, 2, {{5}, {5}}},
      // Non-integer eta 2.5: 1, 2.5, 6.25, 15.625 > 10.
      {10, 1, 2.5, 1, {{1, 2.5, 6.25, 10}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::Message() << "max_t=" << c.max_t << " grace=" << c.grace
                                    << " eta=" << c.eta << " brackets=" << c.brackets);
    const std::vector<BracketPlan> plans = asha_plan(c.max_t, c.grace, c.eta, c.brackets);
    ASSERT_EQ(plans.size(), c.expected.size());
    for (std::size_t s = 0; s < plans.size(); ++s) {
      EXPECT_EQ(plans[s].s, static_cast<int>(s));
      EXPECT_EQ(plan_resources(plans[s]), c.expected[s]) << "bracket " << s;
    }
  }
}

TEST(AshaPlan, RejectsBadOptionsNamingThem) {
  struct Case {
    double max_t, grace, eta;
    int brackets;
    std::string message;
  };
  const Case cases[] = {
      {0, 1, 3, 1, "ASHA option max_t must be > 0 and finite, got 0"},
      {kInf, 1, 3, 1, "ASHA option max_t must be > 0 and finite, got inf"},
      {kNaN, 1, 3, 1, "ASHA option max_t must be > 0 and finite, got nan"},
      {10, 0, 3, 1, "ASHA option grace_period must be > 0, got 0"},
      {10, -1, 3, 1, "ASHA option grace_period must be > 0, got -1"},
      {10, 20, 3, 1, "ASHA option grace_period must be <= max_t, got grace_period 20 > max_t 10"},
      {10, 1, 1, 1, "ASHA option reduction_factor must be > 1 and finite, got 1"},
      {10, 1, 0.5, 1, "ASHA option reduction_factor must be > 1 and finite, got 0.5"},
      {10, 1, kNaN, 1, "ASHA option reduction_factor must be > 1 and finite, got nan"},
      {10, 1, 3, 0, "ASHA option brackets must be >= 1, got 0"},
      {1e300, 1e-300, 1.0000001, 1,
       "ASHA option reduction_factor 1.0000001 is too close to 1: grace_period 1e-300 to max_t "
       "1e+300 would need more than 1000 rungs"},
  };
  for (const Case& c : cases) {
    try {
      asha_plan(c.max_t, c.grace, c.eta, c.brackets);
      ADD_FAILURE() << "no error for: " << c.message;
    } catch (const Error& e) {
      EXPECT_TRUE(e.IsInvalidArgument());
      EXPECT_EQ(std::string(e.what()), c.message);
    }
    AshaOptions o = options(Mode::kMin, c.max_t, c.grace, c.eta, c.brackets);
    EXPECT_THROW(make_asha_stopping(o), Error) << c.message;
    EXPECT_THROW(make_asha_promotion(o), Error) << c.message;
  }
}

// eta = 3, max mode, rung 0 already holds {1, 2, 3}. cutoff = percentile([1,2,3], 66.67):
// pos = 2/3 * 2 = 4/3, so 2 + (3 - 2) / 3 = 2.333... Below it stops, at or above it continues.
// Min mode mirrors it: values {1, 2, 3} are scores {-3, -2, -1} (sorted), cutoff score
// -2 + 1/3 = -1.666..., reported in the metric's units as 1.666...: above it stops.
TEST(AshaStopping, CutoffIsTheOneMinusOneOverEtaPercentile) {
  struct Case {
    Mode mode;
    double value;
    Action action;
    std::string reason;
  };
  const Case cases[] = {
      {Mode::kMax, 2.5, Action::kContinue,
       "passed rung 0 cutoff 2.3333333333333335 (top 1/3 of 3)"},
      {Mode::kMax, 2.0, Action::kStop, "below rung 0 cutoff 2.3333333333333335 (top 1/3 of 3)"},
      {Mode::kMax, 7.0 / 3, Action::kContinue,  // equal to the cutoff: not below it
       "passed rung 0 cutoff 2.3333333333333335 (top 1/3 of 3)"},
      {Mode::kMin, 1.5, Action::kContinue,
       "passed rung 0 cutoff 1.6666666666666665 (top 1/3 of 3)"},
      {Mode::kMin, 2.0, Action::kStop, "below rung 0 cutoff 1.6666666666666665 (top 1/3 of 3)"},
      {Mode::kMin, 0.0, Action::kContinue,
       "passed rung 0 cutoff 1.6666666666666665 (top 1/3 of 3)"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::Message() << "value " << c.value);
    auto s = make_asha_stopping(options(c.mode, 27, 1, 3));
    fill(*s, 1, {1, 2, 3});
    s->on_trial_added(3, {});
    const Decision d = report(*s, 3, 1, c.value);
    EXPECT_EQ(d.action, c.action);
    EXPECT_FALSE(d.completed);
    EXPECT_EQ(d.reason(), c.reason);
    EXPECT_EQ(s->rungs()[0].recorded, 4u);  // recorded whether stopped or not
  }
}

// Ray's _Bracket docstring: _Bracket(min_t=1, max_t=10, rf=2), max mode.
TEST(AshaStopping, RayDocstringExample) {
  auto s = make_asha_stopping(options(Mode::kMax, 10, 1, 2));
  struct Step {
    TrialId id;
    double value;
    Action action;
    std::string reason;
  };
  const Step steps[] = {
      {0, 2, Action::kContinue, "first at rung 0 (1)"},
      // percentile([2], 50) = 2; 4 is not below it.
      {1, 4, Action::kContinue, "passed rung 0 cutoff 2 (top 1/2 of 1)"},
      // percentile([2, 4], 50) = 3.0 (Ray: cutoff == 3.0); 1 < 3.
      {2, 1, Action::kStop, "below rung 0 cutoff 3 (top 1/2 of 2)"},
      // percentile([1, 2, 4], 50) = 2.0 (Ray: cutoff == 2.0); 2 is not below 2.
      {3, 2, Action::kContinue, "passed rung 0 cutoff 2 (top 1/2 of 3)"},
  };
  for (const Step& step : steps) {
    s->on_trial_added(step.id, {});
    const Decision d = report(*s, step.id, 1, step.value);
    EXPECT_EQ(d.action, step.action) << "trial " << step.id;
    EXPECT_EQ(d.reason(), step.reason);
  }
  const RungView rung0 = s->rungs()[0];
  EXPECT_EQ(rung0.recorded, 4u);
  EXPECT_EQ(rung0.promoted, 3u);  // recorded and kept running
  EXPECT_EQ(rung0.paused, 0u);
}

TEST(AshaStopping, ARungIsJudgedOnceAndNotRejudged) {
  auto s = make_asha_stopping(options(Mode::kMax, 27, 1, 3));
  fill(*s, 1, {1, 2, 3});
  s->on_trial_added(3, {});
  // Reports before the first milestone are not judged, however bad, and record nothing.
  EXPECT_EQ(report(*s, 3, 0.5, -1000).reason(), "");
  EXPECT_EQ(report(*s, 3, 0.999, -1000).action, Action::kContinue);
  EXPECT_EQ(s->rungs()[0].recorded, 3u);
  EXPECT_EQ(report(*s, 3, 1, 2.5).action, Action::kContinue);  // cutoff 2.333
  // Later reports below rung 1 (milestone 3), however bad, do not reopen rung 0.
  for (double t : {1.0, 1.5, 2.9}) {
    const Decision d = report(*s, 3, t, -1000);
    EXPECT_EQ(d.action, Action::kContinue) << t;
    EXPECT_EQ(d.reason(), "") << t;
  }
  EXPECT_EQ(s->rungs()[0].recorded, 4u);
}

TEST(AshaStopping, OnlyTheHighestNewlyReachedRungIsJudged) {
  // Rungs 1, 3, 9 (and 27 = max_t). Trials 0..2 record {1, 2, 3} at rung 2 (milestone 9).
  auto s = make_asha_stopping(options(Mode::kMax, 27, 1, 3));
  fill(*s, 9, {1, 2, 3});
  s->on_trial_added(3, {});
  // Trial 3 jumps from nothing to t = 10: judged at rung 2 only (cutoff 2.333), recorded there.
  Decision d = report(*s, 3, 10, 2.0);
  EXPECT_EQ(d.action, Action::kStop);
  EXPECT_EQ(d.reason(), "below rung 2 cutoff 2.3333333333333335 (top 1/3 of 3)");
  const std::vector<RungView> views = s->rungs();
  EXPECT_EQ(views[0].recorded, 0u);
  EXPECT_EQ(views[1].recorded, 0u);
  EXPECT_EQ(views[2].recorded, 4u);
  // A later report never goes back to the skipped rungs 0 and 1 (Ray would judge rung 1 here).
  s->on_trial_added(4, {});
  EXPECT_EQ(report(*s, 4, 10, 50).action, Action::kContinue);
  d = report(*s, 4, 11, -50);
  EXPECT_EQ(d.action, Action::kContinue);
  EXPECT_EQ(d.reason(), "");
  EXPECT_EQ(s->rungs()[1].recorded, 0u);
}

TEST(AshaStopping, ReachingMaxTStopsAsCompleted) {
  auto s = make_asha_stopping(options(Mode::kMin, 27, 1, 3));
  for (double t : {27.0, 30.0}) {
    s->on_trial_added(0, {});
    const Decision d = report(*s, 0, t, 0.5);
    EXPECT_EQ(d.action, Action::kStop);
    EXPECT_TRUE(d.completed);
    EXPECT_EQ(d.reason(), "reached max_t 27");
  }
  EXPECT_EQ(s->rungs()[3].recorded, 0u);  // the max_t rung never judges with stop_last_trials
}

TEST(AshaStopping, WithoutStopLastTrialsTheMaxTRungJudgesAndTrialsRunOn) {
  AshaOptions o = options(Mode::kMax, 27, 1, 3);
  o.stop_last_trials = false;
  auto s = make_asha_stopping(o);
  struct Step {
    TrialId id;
    double t, value;
    Action action;
    std::string reason;
  };
  const Step steps[] = {
      {0, 27, 5, Action::kContinue, "first at rung 3 (27)"},
      {1, 30, 7, Action::kContinue, "passed rung 3 cutoff 5 (top 1/3 of 1)"},
      // percentile([5, 7], 66.67) = 5 + 2 * 2/3 = 6.333...
      {2, 27, 6, Action::kStop, "below rung 3 cutoff 6.333333333333334 (top 1/3 of 2)"},
      {0, 40, -1, Action::kContinue, ""},  // past max_t, already judged there: runs on
  };
  for (const Step& step : steps) {
    s->on_trial_added(step.id, {});
    const Decision d = report(*s, step.id, step.t, step.value);
    EXPECT_EQ(d.action, step.action) << "trial " << step.id << " t " << step.t;
    EXPECT_FALSE(d.completed);
    EXPECT_EQ(d.reason(), step.reason);
  }
}

TEST(AshaStopping, NaNIsStoppedAndNotRecorded) {
  auto s = make_asha_stopping(options(Mode::kMax, 27, 1, 3));
  fill(*s, 1, {1, 2, 3});
  s->on_trial_added(3, {});
  Decision d = report(*s, 3, 1, kNaN);
  EXPECT_EQ(d.action, Action::kStop);
  EXPECT_EQ(d.reason(), "metric is NaN at rung 0 (1)");
  EXPECT_EQ(s->rungs()[0].recorded, 3u);
  // The next trial's cutoff is still percentile([1, 2, 3], 66.67): NaN moved nothing.
  s->on_trial_added(4, {});
  d = report(*s, 4, 1, 2.0);
  EXPECT_EQ(d.reason(), "below rung 0 cutoff 2.3333333333333335 (top 1/3 of 3)");
  // A NaN before any rung is not judged; the first trial at a rung with NaN is stopped.
  auto fresh = make_asha_stopping(options(Mode::kMin, 27, 1, 3));
  fresh->on_trial_added(0, {});
  EXPECT_EQ(report(*fresh, 0, 0.5, kNaN).action, Action::kContinue);
  EXPECT_EQ(report(*fresh, 0, 1, kNaN).action, Action::kStop);
  EXPECT_EQ(fresh->rungs()[0].recorded, 0u);
}

TEST(AshaStopping, InfinitiesAreOrdinaryValues) {
  struct Case {
    Mode mode;
    std::vector<double> recorded;
    double value;
    Action action;
    std::string reason;
  };
  const Case cases[] = {
      {Mode::kMax,
       {1, 2, 3},
       kInf,
       Action::kContinue,
       "passed rung 0 cutoff 2.3333333333333335 (top 1/3 of 3)"},
      {Mode::kMax,
       {1, 2, 3},
       -kInf,
       Action::kStop,
       "below rung 0 cutoff 2.3333333333333335 (top 1/3 of 3)"},
      // Min mode: -inf is the best value. Scores {-1, -2, -3}: cutoff metric 1.666...
      {Mode::kMin,
       {1, 2, 3},
       -kInf,
       Action::kContinue,
       "passed rung 0 cutoff 1.6666666666666665 (top 1/3 of 3)"},
      // Cutoff of {inf, inf} is inf (not NaN): a finite value is below it, inf is not.
      {Mode::kMax, {kInf, kInf}, 5, Action::kStop, "below rung 0 cutoff inf (top 1/3 of 2)"},
      {Mode::kMax,
       {kInf, kInf},
       kInf,
       Action::kContinue,
       "passed rung 0 cutoff inf (top 1/3 of 2)"},
      // Max mode {1, inf}: pos = 2/3 between 1 and inf: inf.
      {Mode::kMax, {1, kInf}, 1e300, Action::kStop, "below rung 0 cutoff inf (top 1/3 of 2)"},
      // Min mode {1, inf}: scores sorted {-inf, -1}; pos 2/3 lies between -inf and -1, so the
      // cutoff score is -inf (metric +inf) and no score is below it.
      {Mode::kMin, {1, kInf}, 1e300, Action::kContinue, "passed rung 0 cutoff inf (top 1/3 of 2)"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::Message() << "value " << c.value);
    auto s = make_asha_stopping(options(c.mode, 27, 1, 3));
    fill(*s, 1, c.recorded);
    const TrialId id = c.recorded.size();
    s->on_trial_added(id, {});
    const Decision d = report(*s, id, 1, c.value);
    EXPECT_EQ(d.action, c.action);
    EXPECT_EQ(d.reason(), c.reason);
  }
}

TEST(AshaStopping, TrialsGoToBracketIdModBrackets) {
  // eta 4, 3 brackets: bracket 0 rungs 1, 4, 16, 64; bracket 1 4, 16, 64; bracket 2 16, 64.
  auto s = make_asha_stopping(options(Mode::kMax, 100, 1, 4, 3));
  struct Step {
    TrialId id;
    double t;
    std::string reason;
  };
  const Step steps[] = {
      {0, 1, "first at rung 0 (1)"},  // bracket 0
      {1, 1, ""},                     // bracket 1: no rung at 1
      {1, 4, "first at rung 0 (4)"},  // bracket 1, rung 0 = 4
      {2, 4, ""},                     // bracket 2: first rung 16
      {2, 16, "first at rung 0 (16)"},
      {3, 4, "first at rung 1 (4)"},    // bracket 0 again: rung 1 = 4 (jumped over rung 0)
      {4, 16, "first at rung 1 (16)"},  // bracket 1
  };
  for (const Step& step : steps) {
    s->on_trial_added(step.id, {});
    const Decision d = report(*s, step.id, step.t, 1.0);
    EXPECT_EQ(d.action, Action::kContinue);
    EXPECT_EQ(d.reason(), step.reason) << "trial " << step.id << " t " << step.t;
  }
  // Views bracket by bracket, lowest milestone first; the plan's rungs without its max_t entries.
  const std::vector<std::pair<int, double>> rungs = {{0, 1},  {0, 4},  {0, 16}, {0, 64}, {1, 4},
                                                     {1, 16}, {1, 64}, {2, 16}, {2, 64}};
  const std::vector<std::size_t> recorded = {1, 1, 0, 0, 1, 1, 0, 1, 0};  // #0 #3 / #1 #4 / #2
  const std::vector<RungView> views = s->rungs();
  ASSERT_EQ(views.size(), rungs.size());
  for (std::size_t i = 0; i < views.size(); ++i) {
    EXPECT_EQ(views[i].bracket, rungs[i].first) << i;
    EXPECT_EQ(views[i].resource, rungs[i].second) << i;
    EXPECT_EQ(views[i].recorded, recorded[i]) << i;
  }
}

TEST(AshaStopping, FloatingResourcesReachTheirMilestones) {
  // grace 0.1, eta 3, max_t 1: rungs 0.1, 0.3, 0.9. 0.1 + 0.2 = 0.30000000000000004 and
  // 0.1 * 3 = 0.30000000000000004 are >= 0.3; 0.1 added ten times is 0.9999999999999999, within
  // 1e-12 of max_t 1: it has reached max_t.
  auto s = make_asha_stopping(options(Mode::kMax, 1, 0.1, 3));
  double ten_tenths = 0;
  for (int i = 0; i < 10; ++i) ten_tenths += 0.1;
  ASSERT_LT(ten_tenths, 1.0);
  EXPECT_EQ(report(*s, 0, 0.3, 5).reason(), "first at rung 1 (0.3)");
  EXPECT_EQ(report(*s, 1, 0.1 + 0.2, 6).reason(), "passed rung 1 cutoff 5 (top 1/3 of 1)");
  EXPECT_EQ(report(*s, 2, 0.29999999, 6).reason(), "first at rung 0 (0.1)");
  const Decision d = report(*s, 2, ten_tenths, 6);
  EXPECT_TRUE(d.completed);
  EXPECT_EQ(d.reason(), "reached max_t 1");
}

TEST(AshaStopping, AlwaysLetsTheLoopStartNewTrials) {
  auto s = make_asha_stopping(options(Mode::kMin, 27, 1, 3));
  EXPECT_EQ(s->name(), "asha_stopping");
  LoopState loop;
  EXPECT_EQ(s->on_free_slot(loop).kind, SlotChoice::Kind::kStartNew);
  loop.can_start_new = false;
  EXPECT_EQ(s->on_free_slot(loop).kind, SlotChoice::Kind::kWait);
}

}  // namespace
}  // namespace tuneq
