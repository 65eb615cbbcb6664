// Synchronous Hyperband driven call by call on the tiny plan max_t = 9, eta = 3 (s_max = 2):
//   bracket s=2: 9 trials at r=1 -> 3 at r=3 -> 1 at r=9
//   bracket s=1: 5 trials at r=3 -> 1 at r=9
//   bracket s=0: 3 trials at r=9
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tuneq/error.hpp"
#include "tuneq/scheduler.hpp"

namespace tuneq {
namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
using Kind = SlotChoice::Kind;

struct Harness {
  explicit Harness(Mode mode = Mode::kMin) {
    HyperbandOptions options;
    options.mode = mode;
    options.max_t = 9;
    options.reduction_factor = 3;
    hb = make_hyperband(options);
  }

  SlotChoice slot(bool can_start_new = true) { return hb->on_free_slot({can_start_new, 0}); }

  // Asks for a slot, expects StartNew, and adds the next trial.
  TrialId start() {
    EXPECT_EQ(slot().kind, Kind::kStartNew) << "starting trial " << next;
    hb->on_trial_added(next, {});
    return next++;
  }

  // Asks for a slot and returns the trial it resumes (fails the test if it does not resume).
  TrialId resume() {
    const SlotChoice c = slot();
    EXPECT_EQ(c.kind, Kind::kResume);
    return c.trial;
  }

  Decision report(TrialId id, double resource, double value) {
    return hb->on_result(id, Result{resource, value}, LoopState{});
  }

  std::unique_ptr<Scheduler> hb;
  TrialId next = 0;
};

void ExpectDecision(const Decision& d, Action action, const std::string& reason) {
  EXPECT_EQ(d.action, action) << d.reason();
  EXPECT_EQ(d.reason(), reason);
}

TEST(Hyperband, FirstBracketCallByCall) {
  Harness h;  // mode min
  for (int k = 0; k < 9; ++k) h.start();
  // The bracket has its n = 9 trials: no more starts, and nothing to resume yet.
  EXPECT_EQ(h.slot().kind, Kind::kWait);

  EXPECT_EQ(h.report(0, 0.5, 100).action, Action::kContinue);  // below r_0 = 1
  // Rung 0 values; ranked (min): 3 (1), 5 (2), 1 (3) | 7 (4), 0 (5), 8 (6), 6 (7), 2 (8), 4 (9).
  const std::vector<double> values = {5, 3, 8, 1, 9, 2, 7, 4, 6};
  for (TrialId id = 0; id < 8; ++id) {
    const std::string reason =
        "paused at rung 0 (1) of bracket 2, waiting for " + std::to_string(8 - id) + " more";
    ExpectDecision(h.report(id, 1, values[id]), Action::kPause, reason);
    EXPECT_EQ(h.slot().kind, Kind::kWait);  // synchronous: the rung is not complete
  }
  EXPECT_TRUE(h.hb->take_trials_to_stop().empty());
  std::vector<RungView> views = h.hb->rungs();
  ASSERT_EQ(views.size(), 3u);
  EXPECT_EQ(views[0].bracket, 2);
  EXPECT_EQ(views[0].resource, 1);
  EXPECT_EQ(views[0].recorded, 8u);
  EXPECT_EQ(views[0].paused, 8u);
  EXPECT_EQ(views[1].resource, 3);
  EXPECT_EQ(views[2].resource, 9);

  // Trial 8 completes the rung and is not among the top floor(9/3) = 3: stopped at once.
  ExpectDecision(h.report(8, 1, values[8]), Action::kStop,
                 "not promoted at rung 0 (1) of bracket 2: only the top 3 go on");
  // The paused losers, in rank order, handed over once.
  EXPECT_EQ(h.hb->take_trials_to_stop(), (std::vector<TrialId>{7, 0, 6, 2, 4}));
  EXPECT_TRUE(h.hb->take_trials_to_stop().empty());
  views = h.hb->rungs();
  EXPECT_EQ(views[0].recorded, 9u);
  EXPECT_EQ(views[0].promoted, 3u);
  EXPECT_EQ(views[0].paused, 8u);  // 5 losers not yet ended + 3 promoted not yet resumed
  for (TrialId id : {8, 7, 0, 6, 2, 4}) h.hb->on_trial_finished(id, TrialEnd::kStopped);

  // Promoted trials resume best first, then the slot waits for rung 1.
  EXPECT_EQ(h.resume(), 3u);
  EXPECT_EQ(h.resume(), 5u);
  EXPECT_EQ(h.resume(), 1u);
  EXPECT_EQ(h.slot().kind, Kind::kWait);

  // Rung 1 (r = 3): promote floor(3/3) = 1. Ranked: 5 (0.5), 1 (0.7), 3 (0.9).
  EXPECT_EQ(h.report(3, 2, 0.1).action, Action::kContinue);
  ExpectDecision(h.report(3, 3, 0.9), Action::kPause,
                 "paused at rung 1 (3) of bracket 2, waiting for 2 more");
  ExpectDecision(h.report(5, 3, 0.5), Action::kPause,
                 "paused at rung 1 (3) of bracket 2, waiting for 1 more");
  ExpectDecision(h.report(1, 3, 0.7), Action::kStop,
                 "not promoted at rung 1 (3) of bracket 2: only the top 1 go on");
  EXPECT_EQ(h.hb->take_trials_to_stop(), (std::vector<TrialId>{3}));
  h.hb->on_trial_finished(1, TrialEnd::kStopped);
  h.hb->on_trial_finished(3, TrialEnd::kStopped);
  EXPECT_EQ(h.resume(), 5u);

  // The last rung is max_t: the survivor completes there.
  EXPECT_EQ(h.report(5, 8, 0.2).action, Action::kContinue);
  const Decision done = h.report(5, 9, 0.1);
  ExpectDecision(done, Action::kStop, "reached max_t 9");
  EXPECT_TRUE(done.completed);
  h.hb->on_trial_finished(5, TrialEnd::kCompleted);

  // Bracket 2 is over: the next slot starts bracket s=1 (5 trials at r=3, 1 at r=9).
  EXPECT_EQ(h.slot().kind, Kind::kStartNew);
  views = h.hb->rungs();
  ASSERT_EQ(views.size(), 2u);
  EXPECT_EQ(views[0].bracket, 1);
  EXPECT_EQ(views[0].resource, 3);
  EXPECT_EQ(views[1].resource, 9);
}

// Runs one bracket in which trial values equal their ids (min: lower ids win) and every trial
// reports straight at its rung's resource. Returns the trials it added.
std::vector<TrialId> RunBracketByIds(Harness& h, int expected_s, std::size_t n) {
  std::vector<TrialId> added;
  for (std::size_t k = 0; k < n; ++k) added.push_back(h.start());
  EXPECT_EQ(h.slot().kind, Kind::kWait);
  EXPECT_EQ(h.hb->rungs().front().bracket, expected_s);
  std::vector<TrialId> running = added;
  // Synchronous: in round k every running trial is on its way to rung k.
  for (std::size_t rung = 0; !running.empty(); ++rung) {
    const double target = h.hb->rungs().at(rung).resource;
    std::vector<TrialId> next;
    for (TrialId id : running) {
      const Decision d = h.report(id, target, double(id));
      if (d.action == Action::kStop) h.hb->on_trial_finished(id, TrialEnd::kStopped);
      if (d.action == Action::kContinue) next.push_back(id);
    }
    for (TrialId id : h.hb->take_trials_to_stop()) h.hb->on_trial_finished(id, TrialEnd::kStopped);
    for (SlotChoice c = h.slot(false); c.kind == Kind::kResume; c = h.slot(false)) {
      next.push_back(c.trial);
    }
    running = next;
  }
  return added;
}

TEST(Hyperband, BracketsCycleFromSmaxDownToZeroAndStartOver) {
  Harness h;
  struct Step {
    int s;
    std::size_t n;
  };
  // s=2 (9 trials), s=1 (5), s=0 (3), then a second Hyperband iteration at s=2.
  const std::vector<Step> steps = {{2, 9}, {1, 5}, {0, 3}, {2, 9}};
  TrialId first = 0;
  for (const Step& step : steps) {
    SCOPED_TRACE(testing::Message() << "bracket s=" << step.s);
    const std::vector<TrialId> added = RunBracketByIds(h, step.s, step.n);
    ASSERT_EQ(added.size(), step.n);
    EXPECT_EQ(added.front(), first);
    first += step.n;
  }
}

TEST(Hyperband, BracketZeroRunsEveryTrialToMaxT) {
  Harness h;
  RunBracketByIds(h, 2, 9);
  RunBracketByIds(h, 1, 5);
  // s=0: 3 trials straight to r=9, each completed.
  for (int k = 0; k < 3; ++k) h.start();
  EXPECT_EQ(h.slot().kind, Kind::kWait);
  for (TrialId id = 14; id < 17; ++id) {
    EXPECT_EQ(h.report(id, 5, 1).action, Action::kContinue);
    const Decision d = h.report(id, 9, 1);
    EXPECT_EQ(d.action, Action::kStop);
    EXPECT_TRUE(d.completed);
  }
  // A Stop decision settles the trial at once (the loop will end it), so the bracket is over
  // and the next Hyperband iteration starts at s=2; the late on_trial_finished calls are no-ops.
  EXPECT_EQ(h.slot().kind, Kind::kStartNew);
  EXPECT_EQ(h.hb->rungs().front().bracket, 2);
  for (TrialId id = 14; id < 17; ++id) h.hb->on_trial_finished(id, TrialEnd::kCompleted);
  h.hb->on_trial_added(17, {});
  EXPECT_EQ(h.hb->rungs().front().bracket, 2);
  EXPECT_EQ(h.report(17, 1, 0).action, Action::kPause);
}

TEST(Hyperband, NoMoreTrialsClosesAPartialRung) {
  Harness h;
  for (int k = 0; k < 6; ++k) h.start();
  // Values 6, 5, 4, 3, 2, 1 (min: trial 5 best). All six pause, waiting for the missing three.
  for (TrialId id = 0; id < 6; ++id) {
    const std::string reason =
        "paused at rung 0 (1) of bracket 2, waiting for " + std::to_string(8 - id) + " more";
    ExpectDecision(h.report(id, 1, 6.0 - double(id)), Action::kPause, reason);
  }
  EXPECT_EQ(h.slot(false).kind, Kind::kWait);
  // No trial will come: the rung is ranked with what it has. quota = floor(6/3) = 2.
  h.hb->on_no_more_trials();
  EXPECT_EQ(h.hb->take_trials_to_stop(), (std::vector<TrialId>{3, 2, 1, 0}));
  for (TrialId id : {3, 2, 1, 0}) h.hb->on_trial_finished(id, TrialEnd::kStopped);
  EXPECT_EQ(h.resume(), 5u);
  EXPECT_EQ(h.resume(), 4u);
  EXPECT_EQ(h.slot().kind, Kind::kWait);
  // Rung 1 may promote floor(2/3) = 0: with fewer trials than planned nobody reaches max_t
  // (documented: the quota is floored, never rounded up).
  ExpectDecision(h.report(4, 3, 1), Action::kPause,
                 "paused at rung 1 (3) of bracket 2, waiting for 1 more");
  ExpectDecision(h.report(5, 3, 2), Action::kStop,
                 "not promoted at rung 1 (3) of bracket 2: only the top 0 go on");
  EXPECT_EQ(h.hb->take_trials_to_stop(), (std::vector<TrialId>{4}));
  h.hb->on_trial_finished(4, TrialEnd::kStopped);
  h.hb->on_trial_finished(5, TrialEnd::kStopped);
  // Everything ended and nothing more will come: the experiment waits (the loop ends it).
  EXPECT_EQ(h.slot().kind, Kind::kWait);
}

TEST(Hyperband, FailedTrialsDoNotBlockARung) {
  Harness h;
  for (int k = 0; k < 9; ++k) h.start();
  // Trials 0..7 record values 0..7; trial 0 (the best) fails while paused, trial 8 while running.
  for (TrialId id = 0; id < 8; ++id) EXPECT_EQ(h.report(id, 1, double(id)).action, Action::kPause);
  h.hb->on_trial_finished(0, TrialEnd::kFailed);
  EXPECT_EQ(h.slot().kind, Kind::kWait);
  h.hb->on_trial_finished(8, TrialEnd::kFailed);  // the last missing member: the rung ranks now
  // Alive and recorded: 1..7; top 3: 1, 2, 3. Trial 0 is not promoted: it has ended.
  EXPECT_EQ(h.hb->take_trials_to_stop(), (std::vector<TrialId>{4, 5, 6, 7}));
  for (TrialId id : {4, 5, 6, 7}) h.hb->on_trial_finished(id, TrialEnd::kStopped);
  EXPECT_EQ(h.resume(), 1u);
  EXPECT_EQ(h.resume(), 2u);
  // Trial 3 fails before it is resumed, trial 2 while running: rung 1 ranks trial 1 alone.
  h.hb->on_trial_finished(3, TrialEnd::kFailed);
  EXPECT_EQ(h.slot().kind, Kind::kWait);
  ExpectDecision(h.report(1, 3, 10), Action::kPause,
                 "paused at rung 1 (3) of bracket 2, waiting for 1 more");
  h.hb->on_trial_finished(2, TrialEnd::kFailed);
  EXPECT_EQ(h.resume(), 1u);
  EXPECT_TRUE(h.report(1, 9, 10).completed);
  h.hb->on_trial_finished(1, TrialEnd::kCompleted);
  EXPECT_EQ(h.slot().kind, Kind::kStartNew);  // bracket s=1
  EXPECT_EQ(h.hb->rungs().front().bracket, 1);
}

TEST(Hyperband, RanksNanLastUnderBothModes) {
  struct Case {
    Mode mode;
    std::vector<double> values;     // rung-0 values of trials 0..8 (trial 8 reports last)
    std::vector<TrialId> promoted;  // the top 3, best first
  };
  const std::vector<Case> cases = {
      // min: -inf (2), 1 (5), 2 (8) | 3, 5, 7, inf, NaN (0), NaN (4).
      {Mode::kMin, {kNan, 3, -kInf, 7, kNan, 1, 5, kInf, 2}, {2, 5, 8}},
      // max: inf (7), 7 (3), 5 (6) | 3, 2, 1, -inf, NaN, NaN.
      {Mode::kMax, {kNan, 3, -kInf, 7, kNan, 1, 5, kInf, 2}, {7, 3, 6}},
      // Only trial 6 is a number; NaNs tie and the earlier trials go first.
      {Mode::kMin, {kNan, kNan, kNan, kNan, kNan, kNan, 4, kNan, kNan}, {6, 0, 1}},
      {Mode::kMax, {kNan, kNan, kNan, kNan, kNan, kNan, 4, kNan, kNan}, {6, 0, 1}},
      // All equal: earlier trials first.
      {Mode::kMax, {1, 1, 1, 1, 1, 1, 1, 1, 1}, {0, 1, 2}},
  };
  for (std::size_t c = 0; c < cases.size(); ++c) {
    SCOPED_TRACE(testing::Message() << "case " << c);
    Harness h(cases[c].mode);
    for (int k = 0; k < 9; ++k) h.start();
    for (TrialId id = 0; id < 8; ++id) h.report(id, 1, cases[c].values[id]);
    const Decision last = h.report(8, 1, cases[c].values[8]);
    std::vector<TrialId> promoted;
    if (last.action == Action::kContinue) {  // the reporter that completes the rung goes on
      EXPECT_EQ(last.reason(), "promoted at rung 0 (1) of bracket 2, one of the top 3");
      promoted.push_back(8);
    } else {
      EXPECT_EQ(last.action, Action::kStop);
    }
    for (SlotChoice s = h.slot(); s.kind == Kind::kResume; s = h.slot())
      promoted.push_back(s.trial);
    std::sort(promoted.begin(), promoted.end());
    std::vector<TrialId> expected = cases[c].promoted;
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(promoted, expected);
    EXPECT_EQ(h.hb->take_trials_to_stop().size(), last.action == Action::kStop ? 5u : 6u);
  }
}

TEST(Hyperband, ResumesBestFirst) {
  Harness h(Mode::kMax);
  for (int k = 0; k < 9; ++k) h.start();
  // max: 8 reports first so that the rung completes on a loser (trial 0, value 0).
  const std::vector<double> values = {0, 7, 3, 9, 1, 8, 2, 4, 5};
  for (TrialId id = 8; id >= 1; --id) h.report(id, 1, values[id]);
  EXPECT_EQ(h.report(0, 1, values[0]).action, Action::kStop);
  EXPECT_EQ(h.resume(), 3u);  // 9
  EXPECT_EQ(h.resume(), 5u);  // 8
  EXPECT_EQ(h.resume(), 1u);  // 7
  EXPECT_EQ(h.slot().kind, Kind::kWait);
}

TEST(Hyperband, MilestonesAreReachedWithinRoundingError) {
  HyperbandOptions options;
  options.max_t = 10.8;  // eta 3: s_max 2, r_0 = 10.8 / 9 = 1.2000000000000002
  auto hb = make_hyperband(options);
  ASSERT_EQ(hb->on_free_slot({true, 0}).kind, Kind::kStartNew);
  hb->on_trial_added(0, {});
  EXPECT_EQ(hb->on_result(0, Result{1.1999, 1}, {}).action, Action::kContinue);
  EXPECT_EQ(hb->on_result(0, Result{1.2, 1}, {}).action, Action::kPause);  // 1.2 reaches it
}

TEST(Hyperband, LateAndUnexpectedCalls) {
  Harness h;
  for (int k = 0; k < 9; ++k) h.start();
  EXPECT_EQ(h.report(0, 1, 1).action, Action::kPause);
  // A second result from a paused trial repeats the pause.
  EXPECT_EQ(h.report(0, 2, 1).action, Action::kPause);
  EXPECT_THROW(h.report(42, 1, 1), Error);                    // never added
  EXPECT_THROW(h.hb->on_trial_added(0, {}), Error);           // added twice
  EXPECT_EQ(h.report(1, kNan, 1).action, Action::kContinue);  // no resource: cannot be placed
  EXPECT_EQ(h.hb->name(), "hyperband");
}

}  // namespace
}  // namespace tuneq
