// The median stopping rule, computed by hand. "mean at t" is a trial's running mean at t: the
// mean of its non-NaN values with grace_period <= resource <= t.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "tuneq/error.hpp"
#include "tuneq/scheduler.hpp"

namespace tuneq {
namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// One report: trial, resource, value, loop.waiting; then the expected action and reason.
struct Report {
  TrialId trial;
  double resource;
  double value;
  std::size_t waiting;
  Action action;
  const char* reason;
};

struct RuleCase {
  const char* name;
  MedianStoppingOptions options;
  std::vector<Report> reports;
};

MedianStoppingOptions Options(Mode mode, double grace, std::size_t min_samples,
                              double min_time_slice = 0, bool hard_stop = true) {
  return {mode, grace, min_samples, min_time_slice, hard_stop};
}

void Play(const RuleCase& c) {
  SCOPED_TRACE(c.name);
  auto rule = make_median_stopping(c.options);
  TrialId added = 0;
  for (std::size_t k = 0; k < c.reports.size(); ++k) {
    const Report& r = c.reports[k];
    SCOPED_TRACE(testing::Message() << "report " << k << ": trial " << r.trial << " at "
                                    << r.resource << " value " << r.value);
    while (added <= r.trial) rule->on_trial_added(added++, {});
    const Decision d = rule->on_result(r.trial, Result{r.resource, r.value}, {true, r.waiting});
    EXPECT_EQ(d.action, r.action) << d.reason();
    EXPECT_EQ(d.reason(), r.reason);
    EXPECT_FALSE(d.completed);
  }
}

// Trials A = 0 and B = 1 report at t = 1, 2, 3 (A: 1, 2, 3; B: 3, 3, 3), interleaved. With two
// samples needed, neither has enough others while only A and B exist.
std::vector<Report> AB() {
  std::vector<Report> r;
  for (int t = 1; t <= 3; ++t) {
    r.push_back({0, double(t), double(t), 0, Action::kContinue, ""});
    r.push_back({1, double(t), 3, 0, Action::kContinue, ""});
  }
  return r;
}

std::vector<Report> Then(std::vector<Report> first, const std::vector<Report>& more) {
  first.insert(first.end(), more.begin(), more.end());
  return first;
}

TEST(MedianStopping, StopsBelowTheMedianOfRunningMeans) {
  const std::vector<RuleCase> cases = {
      // At t=1 the others are A (mean 1) and B (mean 3): median (1 + 3) / 2 = 2.
      {"min: C's best 5 is worse than 2", Options(Mode::kMin, 1, 2),
       Then(AB(), {{2, 1, 5, 0, Action::kStop, "best 5 worse than median 2 of 2 trials at 1"}})},
      {"min: equal to the median is not strictly worse", Options(Mode::kMin, 1, 2),
       Then(AB(), {{2, 1, 2, 0, Action::kContinue, ""}})},
      // C goes on: at t=2 the means are A (1+2)/2 = 1.5, B 3 -> median 2.25; C's best is 2 (its
      // value at t=1), so 3 at t=2 is fine. At t=3: A (1+2+3)/3 = 2, B 3 -> 2.5; best 2 -> go on.
      // D at t=1: others A 1, B 3, C 2 -> median 2; D's 2.6 is worse.
      // E at t=3: others A 2, B 3, C (2+3+4)/3 = 3 (D stopped at 1) -> median 3; 3.1 is worse.
      {"min: the best so far counts, not the last value", Options(Mode::kMin, 1, 2),
       Then(AB(),
            {{2, 1, 2, 0, Action::kContinue, ""},
             {2, 2, 3, 0, Action::kContinue, ""},
             {2, 3, 4, 0, Action::kContinue, ""},
             {3, 1, 2.6, 0, Action::kStop, "best 2.6 worse than median 2 of 3 trials at 1"},
             {4, 3, 3.1, 0, Action::kStop, "best 3.1 worse than median 3 of 3 trials at 3"}})},
      // Under max the same numbers: median 2 at t=1, and lower is worse. Then D at 1: others
      // A 1, B 3, C 0.5 (stopped, still counted) -> 1; E: A 1, B 3, C 0.5, D 2 -> (1 + 2) / 2;
      // F: 0.5, 1, 1.5, 2, 3 -> 1.5.
      {"max: C's best 0.5 is worse than 2", Options(Mode::kMax, 1, 2),
       Then(AB(),
            {{2, 1, 0.5, 0, Action::kStop, "best 0.5 worse than median 2 of 2 trials at 1"},
             {3, 1, 2, 0, Action::kContinue, ""},
             {4, 1, 1.5, 0, Action::kContinue, ""},
             {5, 1, 1.4, 0, Action::kStop, "best 1.4 worse than median 1.5 of 5 trials at 1"}})},
      // grace 2: A's 10 at t=1 is before the grace period, so A's mean at 2 is 1, not 5.5. B: 3.
      // Median at 2: (1 + 3) / 2 = 2. C's early 0.5 still counts as its best (Ray: all results).
      {"grace period: early values count for best, not for means",
       Options(Mode::kMin, 2, 2),
       {{0, 1, 10, 0, Action::kContinue, ""},
        {0, 2, 1, 0, Action::kContinue, ""},
        {1, 2, 3, 0, Action::kContinue, ""},
        {2, 1, 0.5, 0, Action::kContinue, ""},  // before grace: never judged
        {2, 2, 2.5, 0, Action::kContinue, ""},  // best 0.5 < 2
        // D: others A 1, B 3, C 2.5 -> 2.5 (with A's 10 in its mean it would be 3).
        {3, 2, 2.6, 0, Action::kStop, "best 2.6 worse than median 2.5 of 3 trials at 2"}}},
  };
  for (const RuleCase& c : cases) Play(c);
}

TEST(MedianStopping, CountsTrialsThatSkippedALevelAndBackfillsLateLevels) {
  const std::vector<RuleCase> cases = {
      // B makes level 2. A reports at 1 and 3 only: it is counted at level 2 with its mean as of
      // t=1 (1), not with the 5 it reported at 3. C at 2: others B 3, A 1 -> median 2; 2.5 worse.
      {"a trial that skipped level 2 counts there with its mean as of t=1",
       Options(Mode::kMin, 1, 2),
       {{1, 1, 3, 0, Action::kContinue, ""},
        {1, 2, 3, 0, Action::kContinue, ""},
        {0, 1, 1, 0, Action::kContinue, ""},
        {0, 3, 5, 0, Action::kContinue, ""},
        {2, 2, 2.5, 0, Action::kStop, "best 2.5 worse than median 2 of 2 trials at 2"}}},
      // Levels 1, 2, 4 exist when C makes level 3 late. A (1 @1, 2 @2, 4 @4) has mean 1.5 at 3;
      // B (3 @1, 3 @4) has mean 3 at 3. Median 2.25. Then D: A 1.5, B 3, C 2.3 -> 2.3.
      {"a level created late is backfilled from the level below",
       Options(Mode::kMin, 1, 2),
       {{0, 1, 1, 0, Action::kContinue, ""},
        {0, 2, 2, 0, Action::kContinue, ""},
        {0, 4, 4, 0, Action::kContinue, ""},
        {1, 1, 3, 0, Action::kContinue, ""},
        {1, 4, 3, 0, Action::kContinue, ""},
        {2, 3, 2.3, 0, Action::kStop, "best 2.3 worse than median 2.25 of 2 trials at 3"},
        {3, 3, 2.3, 0, Action::kContinue, ""}}},
      // A level below every existing one: A and B are past t=2 but have no value in [1, 2]
      // (no mean, ranked last), so the median is NaN: a trial with a number is not stopped; one
      // that only ever reported NaN is. They do count as samples: nobody yields (waiting = 1).
      {"a level created below all others counts the trials above it without a mean",
       Options(Mode::kMin, 1, 2),
       {{0, 5, 1, 0, Action::kContinue, ""},
        {1, 5, 3, 0, Action::kContinue, ""},
        {2, 2, 100, 1, Action::kContinue, ""},
        {3, 2, kNan, 1, Action::kStop, "best nan worse than median nan of 3 trials at 2"}}},
  };
  for (const RuleCase& c : cases) Play(c);
}

TEST(MedianStopping, NanValuesAreLeftOutOfMeansAndRankLast) {
  const std::vector<RuleCase> cases = {
      {"a trial that reported only NaN is worse than any median",
       Options(Mode::kMin, 1, 2),
       {{0, 1, 1, 0, Action::kContinue, ""},
        {1, 1, 3, 0, Action::kContinue, ""},
        {2, 1, kNan, 0, Action::kStop, "best nan worse than median 2 of 2 trials at 1"}}},
      // A's NaN at 1 is left out: its mean at 2 is 1, not NaN. C at 2: A 1, B 3 -> 2. D at 2:
      // A 1, B 3, C 1.5 -> 1.5 (a NaN mean for A would rank last and make it 3).
      {"NaN values do not poison a mean",
       Options(Mode::kMin, 1, 2),
       {{0, 1, kNan, 0, Action::kContinue, ""},
        {0, 2, 1, 0, Action::kContinue, ""},
        {1, 2, 3, 0, Action::kContinue, ""},
        {2, 2, 1.5, 0, Action::kContinue, ""},
        {3, 2, 1.6, 0, Action::kStop, "best 1.6 worse than median 1.5 of 3 trials at 2"}}},
      // Others at 1: A (no mean) ranks below C 2 and B 1 (min): the middle of three is C's 2.
      // E: A (none), C 2, D 1.6, B 1 -> the middle two average to 1.8 (numpy would say NaN).
      {"a trial without a mean ranks last in the median",
       Options(Mode::kMin, 1, 3),
       {{0, 1, kNan, 0, Action::kContinue, ""},
        {1, 1, 1, 0, Action::kContinue, ""},
        {2, 1, 2, 0, Action::kContinue, ""},
        {3, 1, 1.6, 0, Action::kContinue, ""},
        {4, 1, 2.5, 0, Action::kStop, "best 2.5 worse than median 1.8 of 4 trials at 1"}}},
      // Infinities are numbers: the median of A 1 and B inf is inf under min, and nothing is
      // worse than that. D: others A 1, B inf, C 1e300 -> the middle is 1e300; inf is worse.
      {"infinities are ordinary numbers",
       Options(Mode::kMin, 1, 2),
       {{0, 1, 1, 0, Action::kContinue, ""},
        {1, 1, kInf, 0, Action::kContinue, ""},
        {2, 1, 1e300, 0, Action::kContinue, ""},
        {3, 1, kInf, 0, Action::kStop, "best inf worse than median 1e+300 of 3 trials at 1"}}},
  };
  for (const RuleCase& c : cases) Play(c);
}

TEST(MedianStopping, InsufficientSamplesYieldWhenOthersWait) {
  const std::vector<RuleCase> cases = {
      // min_time_slice 2: yields at 1 (first time), not at 2 or 3 (2 - 1 and 3 - 1 are not > 2),
      // again at 4, never when nobody waits, and never before the grace period.
      {"yield at most every min_time_slice, only when a trial waits",
       Options(Mode::kMin, 1, 2, 2),
       {{0, 0.5, 1, 1, Action::kContinue, ""},
        {0, 1, 1, 1, Action::kPause, "yielding: 0 of 2 trials needed reached 1"},
        {0, 2, 1, 1, Action::kContinue, ""},
        {0, 3, 1, 1, Action::kContinue, ""},
        {0, 4, 1, 1, Action::kPause, "yielding: 0 of 2 trials needed reached 4"},
        {0, 10, 1, 0, Action::kContinue, ""},
        {1, 1, 5, 1, Action::kPause, "yielding: 1 of 2 trials needed reached 1"}}},
      // A second report at the same resource replaces the trial's entry instead of adding one:
      // A's mean at 1 becomes (1 + 5) / 2 = 3, and it still counts once.
      {"a repeated resource updates the mean in place",
       Options(Mode::kMin, 1, 2),
       {{0, 1, 1, 0, Action::kContinue, ""},
        {0, 1, 5, 0, Action::kContinue, ""},
        {1, 1, 3, 1, Action::kPause, "yielding: 1 of 2 trials needed reached 1"},
        {2, 1, 2.5, 0, Action::kContinue, ""},  // median (3 + 3) / 2 = 3
        {3, 1, 3.5, 0, Action::kStop, "best 3.5 worse than median 3 of 3 trials at 1"}}},
      // A result at a resource below the trial's last one is ignored (not recorded).
      {"an out-of-order result is not recorded",
       Options(Mode::kMin, 1, 2),
       {{0, 2, 1, 0, Action::kContinue, ""},
        {0, 1, 100, 0, Action::kContinue, ""},
        {1, 2, 3, 0, Action::kContinue, ""},
        {2, 2, 2.5, 0, Action::kStop, "best 2.5 worse than median 2 of 2 trials at 2"}}},
  };
  for (const RuleCase& c : cases) Play(c);
}

TEST(MedianStopping, SoftStopPausesThenRunsFifo) {
  auto rule = make_median_stopping(Options(Mode::kMin, 1, 2, 0, /*hard_stop=*/false));
  for (TrialId id = 0; id < 4; ++id) rule->on_trial_added(id, {});
  const auto report = [&](TrialId id, double t, double v) {
    return rule->on_result(id, Result{t, v}, LoopState{true, 0});
  };
  report(0, 1, 1);
  report(1, 1, 3);
  const Decision paused = report(2, 1, 5);  // median 2, best 5
  EXPECT_EQ(paused.action, Action::kPause);
  EXPECT_EQ(paused.reason(), "best 5 worse than median 2 of 2 trials at 1");
  // Ray's FIFO: new trials first, then the paused one.
  EXPECT_EQ(rule->on_free_slot({true, 1}).kind, SlotChoice::Kind::kStartNew);
  const SlotChoice resumed = rule->on_free_slot({false, 1});
  EXPECT_EQ(resumed.kind, SlotChoice::Kind::kResume);
  EXPECT_EQ(resumed.trial, 2u);
  EXPECT_EQ(rule->on_free_slot({false, 0}).kind, SlotChoice::Kind::kWait);
  // From now on trial 2 runs FIFO, and its results are not recorded: at level 2 the only
  // others are A and B (median 2; with C's 100 counted it would be 3).
  EXPECT_EQ(report(2, 2, 100).action, Action::kContinue);
  report(0, 2, 1);  // A mean 1
  report(1, 2, 3);  // B mean 3
  const Decision d = report(3, 2, 2.5);
  EXPECT_EQ(d.action, Action::kPause);
  EXPECT_EQ(d.reason(), "best 2.5 worse than median 2 of 2 trials at 2");
}

TEST(MedianStopping, ResumesPausedTrialsEarliestFirst) {
  auto rule = make_median_stopping(Options(Mode::kMin, 0, 5));
  for (TrialId id = 0; id < 3; ++id) rule->on_trial_added(id, {});
  // All three yield (too few samples, someone waiting): resumed 0, 1, 2 when no new trial can.
  for (TrialId id : {2, 0, 1}) {
    EXPECT_EQ(rule->on_result(id, Result{1, 1}, {true, 1}).action, Action::kPause);
  }
  rule->on_trial_finished(1, TrialEnd::kStopped);  // ended while paused: skipped
  EXPECT_EQ(rule->on_free_slot({false, 2}).trial, 0u);
  EXPECT_EQ(rule->on_free_slot({false, 1}).trial, 2u);
  EXPECT_EQ(rule->on_free_slot({false, 0}).kind, SlotChoice::Kind::kWait);
}

// Ray's rule computed the slow way, from every trial's full list of results, for comparison.
class ReferenceRule {
 public:
  explicit ReferenceRule(const MedianStoppingOptions& o) : o_(o) {}

  Decision on_result(TrialId id, double t, double v, std::size_t waiting) {
    Trial& me = trials_[id];
    if (me.stopped || (!me.results.empty() && t < me.results.back().first)) {
      return Decision::Continue();
    }
    me.results.push_back({t, v});
    if (better(o_.mode, v, me.best)) me.best = v;
    if (t < o_.grace_period) return Decision::Continue();
    std::vector<double> scores;  // others' running means at t as scores; NaN: no mean
    for (const auto& [other, trial] : trials_) {
      if (other == id || trial.results.empty() || trial.results.back().first < t) continue;
      double sum = 0;
      int count = 0;
      for (const auto& [r, x] : trial.results) {
        if (r >= o_.grace_period && r <= t && !std::isnan(x)) sum += x, ++count;
      }
      const double mean = count == 0 ? kNan : sum / count;
      scores.push_back(o_.mode == Mode::kMax ? mean : -mean);
    }
    const auto n = static_cast<double>(scores.size());
    if (scores.size() < o_.min_samples_required) {
      if (t - me.last_yield > o_.min_time_slice && waiting > 0) {
        me.last_yield = t;
        return Decision::Pause("yielding: {} of {} trials needed reached {}",
                               {n, double(o_.min_samples_required), t});
      }
      return Decision::Continue();
    }
    std::sort(scores.begin(), scores.end(), [](double a, double b) {
      return std::isnan(a) != std::isnan(b) ? std::isnan(a) : a < b;  // NaN first (worst)
    });
    const std::size_t k = scores.size();
    double score = scores[k / 2];
    if (k % 2 == 0) {
      const double low = scores[k / 2 - 1];
      score = std::isnan(low) || std::isnan(score) ? kNan
              : low == score                       ? low
                                                   : std::midpoint(low, score);
    }
    const double median = std::isnan(score) ? kNan : o_.mode == Mode::kMax ? score : -score;
    if (!std::isnan(me.best) && (std::isnan(median) || !better(o_.mode, median, me.best))) {
      return Decision::Continue();
    }
    me.stopped = true;
    const char* why = "best {} worse than median {} of {} trials at {}";
    return o_.hard_stop ? Decision::Stop(why, {me.best, median, n, t})
                        : Decision::Pause(why, {me.best, median, n, t});
  }

 private:
  struct Trial {
    std::vector<std::pair<double, double>> results;  // (resource, value)
    double best = kNan;
    double last_yield = -kInf;
    bool stopped = false;
  };
  MedianStoppingOptions o_;
  std::map<TrialId, Trial> trials_;
};

struct RandomReport {
  int trial = 0;
  int advance = 1;  // 0: the same resource again; more: levels skipped
  double value = 0;
  std::size_t waiting = 0;
};

// Random trials reporting on an integer grid (sometimes skipping or repeating a level, sometimes
// out of order) agree with the reference on every decision, reason included.
RC_GTEST_PROP(MedianStoppingProperty, AgreesWithTheSlowReference, ()) {
  MedianStoppingOptions o;
  o.mode = *rc::gen::element(Mode::kMin, Mode::kMax);
  o.grace_period = *rc::gen::inRange(0, 4);
  o.min_samples_required = static_cast<std::size_t>(*rc::gen::inRange(1, 5));
  o.min_time_slice = *rc::gen::inRange(0, 3);
  o.hard_stop = *rc::gen::arbitrary<bool>();
  const auto value = rc::gen::weightedOneOf<double>(
      {{12, rc::gen::map(rc::gen::inRange(-6, 6), [](int x) { return x / 2.0; })},
       {2, rc::gen::just(kNan)},
       {1, rc::gen::element(kInf, -kInf)}});
  const auto report = rc::gen::build<RandomReport>(
      rc::gen::set(&RandomReport::trial, rc::gen::inRange(0, 12)),
      rc::gen::set(&RandomReport::advance,
                   rc::gen::weightedOneOf<int>({{6, rc::gen::just(1)},
                                                {1, rc::gen::just(0)},
                                                {1, rc::gen::just(-1)},
                                                {2, rc::gen::inRange(2, 5)}})),
      rc::gen::set(&RandomReport::value, value),
      rc::gen::set(&RandomReport::waiting, rc::gen::inRange<std::size_t>(0, 2)));
  const auto reports = *rc::gen::resize(300, rc::gen::container<std::vector<RandomReport>>(report));

  auto rule = make_median_stopping(o);
  ReferenceRule reference(o);
  for (TrialId id = 0; id < 12; ++id) rule->on_trial_added(id, {});
  std::vector<double> resource(12, 0);
  for (const RandomReport& r : reports) {
    const auto id = static_cast<TrialId>(r.trial);
    resource[id] += r.advance;
    const Decision got = rule->on_result(id, Result{resource[id], r.value}, {true, r.waiting});
    const Decision want = reference.on_result(id, resource[id], r.value, r.waiting);
    RC_ASSERT(got.action == want.action);
    RC_ASSERT(got.reason() == want.reason());
  }
}

TEST(MedianStopping, RejectsBadOptions) {
  struct Case {
    MedianStoppingOptions options;
    const char* message;
  };
  const std::vector<Case> cases = {
      {Options(Mode::kMin, -1, 3), "median_stopping: grace_period must be >= 0, got -1"},
      {Options(Mode::kMin, kNan, 3), "median_stopping: grace_period must be >= 0, got nan"},
      {Options(Mode::kMin, 0, 3, -0.5), "median_stopping: min_time_slice must be >= 0, got -0.5"},
      {Options(Mode::kMin, 0, 0), "median_stopping: min_samples_required must be >= 1, got 0"},
  };
  for (const Case& c : cases) {
    try {
      make_median_stopping(c.options);
      ADD_FAILURE() << "no error: " << c.message;
    } catch (const Error& e) {
      EXPECT_TRUE(e.IsInvalidArgument());
      EXPECT_EQ(std::string(e.what()), c.message);
    }
  }
  EXPECT_EQ(make_median_stopping(MedianStoppingOptions{})->name(), "median_stopping");
}

}  // namespace
}  // namespace tuneq
