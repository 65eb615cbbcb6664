// Property tests for both ASHA variants: a small, well-behaved tuner loop is simulated (results
// only for running trials, resume only what on_free_slot returns) over random results.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <vector>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "tuneq/scheduler.hpp"

namespace tuneq {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// One step of the simulated loop: which running trial reports (index modulo the running set),
// how far its resource advances (several rungs at once sometimes), and what it reports. Fail
// and end_paused let the loop end trials on its own (a crash; the experiment dropping a paused
// trial).
struct Step {
  int pick = 0;
  int advance = 1;
  double value = 0;
  bool fail = false;
  bool end_paused = false;
};

rc::Gen<double> metric_values(bool with_infinities) {
  // Quarter steps in a narrow range make ties common.
  auto finite = rc::gen::map(rc::gen::inRange(-20, 20), [](int x) { return x / 4.0; });
  if (!with_infinities) {
    return rc::gen::weightedOneOf<double>({{9, finite}, {1, rc::gen::just(kNaN)}});
  }
  return rc::gen::weightedOneOf<double>(
      {{8, finite}, {1, rc::gen::just(kNaN)}, {1, rc::gen::just(kInf)}, {1, rc::gen::just(-kInf)}});
}

std::vector<Step> steps(int eta, bool with_infinities) {
  auto step = rc::gen::build<Step>(
      rc::gen::set(&Step::pick, rc::gen::inRange(0, 1000)),
      rc::gen::set(&Step::advance, rc::gen::inRange(1, eta * eta + 1)),
      rc::gen::set(&Step::value, metric_values(with_infinities)),
      rc::gen::set(&Step::fail, rc::gen::weightedOneOf<bool>(
                                    {{19, rc::gen::just(false)}, {1, rc::gen::just(true)}})),
      rc::gen::set(&Step::end_paused, rc::gen::weightedOneOf<bool>(
                                          {{19, rc::gen::just(false)}, {1, rc::gen::just(true)}})));
  const auto count = static_cast<std::size_t>(*rc::gen::inRange(20, 400));
  return *rc::gen::container<std::vector<Step>>(count, step);
}

AshaOptions random_options(int eta) {
  AshaOptions o;
  o.mode = *rc::gen::element(Mode::kMin, Mode::kMax);
  o.reduction_factor = eta;
  o.grace_period = 1;
  o.max_t = std::pow(eta, *rc::gen::inRange(1, 4));  // eta, eta^2 or eta^3: exact integers
  o.brackets = *rc::gen::inRange(1, 4);
  return o;
}

enum class State { kRunning, kPaused, kEnded };

RC_GTEST_PROP(AshaProperty, PromotionsStayWithinFloorNOverEtaAndOnlyPausedTrialsResume, ()) {
  const int eta = *rc::gen::inRange(2, 5);
  const AshaOptions o = random_options(eta);
  const auto max_trials = static_cast<TrialId>(*rc::gen::inRange(1, 60));
  const auto workers = static_cast<std::size_t>(*rc::gen::inRange(1, 5));
  auto scheduler = make_asha_promotion(o);

  std::vector<State> state;
  std::vector<double> resource;
  std::vector<TrialId> running;
  std::size_t resumes = 0;
  for (const Step& step : steps(eta, true)) {
    // Fill free slots the way the tuner does.
    while (running.size() < workers) {
      LoopState loop;
      loop.can_start_new = state.size() < max_trials;
      const SlotChoice choice = scheduler->on_free_slot(loop);
      if (choice.kind == SlotChoice::Kind::kWait) {
        RC_ASSERT(!loop.can_start_new);
        break;
      }
      if (choice.kind == SlotChoice::Kind::kResume) {
        RC_ASSERT(choice.trial < state.size());
        RC_ASSERT(state[choice.trial] == State::kPaused);  // never a stopped or running trial
        state[choice.trial] = State::kRunning;
        running.push_back(choice.trial);
        ++resumes;
        continue;
      }
      RC_ASSERT(loop.can_start_new);
      const TrialId id = state.size();
      scheduler->on_trial_added(id, {});
      state.push_back(State::kRunning);
      resource.push_back(0);
      running.push_back(id);
    }
    if (running.empty()) break;

    const std::size_t slot = static_cast<std::size_t>(step.pick) % running.size();
    const TrialId id = running[slot];
    if (step.end_paused) {  // the loop drops the oldest paused trial, if any
      const auto it = std::find(state.begin(), state.end(), State::kPaused);
      if (it != state.end()) {
        *it = State::kEnded;
        scheduler->on_trial_finished(static_cast<TrialId>(it - state.begin()), TrialEnd::kStopped);
      }
    }
    running.erase(running.begin() + static_cast<std::ptrdiff_t>(slot));
    if (step.fail) {
      state[id] = State::kEnded;
      scheduler->on_trial_finished(id, TrialEnd::kFailed);
      continue;
    }
    resource[id] += step.advance;
    const Decision d = scheduler->on_result(id, Result{resource[id], step.value}, LoopState{});
    RC_ASSERT(d.completed == (d.action == Action::kStop && resource[id] >= o.max_t));
    if (d.action == Action::kContinue) {
      RC_ASSERT(resource[id] < o.max_t);
      running.push_back(id);
    } else if (d.action == Action::kPause) {
      RC_ASSERT(!std::isnan(step.value));
      state[id] = State::kPaused;
    } else {
      state[id] = State::kEnded;
      scheduler->on_trial_finished(id, d.completed ? TrialEnd::kCompleted : TrialEnd::kStopped);
    }

    // At every rung, no more than floor(n / eta) of the n recorded trials were ever promoted,
    // and the scheduler's bookkeeping agrees with the loop's.
    std::size_t promoted = 0;
    std::size_t paused = 0;
    for (const RungView& rung : scheduler->rungs()) {
      RC_ASSERT(rung.promoted <= rung.recorded / static_cast<std::size_t>(eta));
      RC_ASSERT(rung.paused + rung.promoted <= rung.recorded);
      promoted += rung.promoted;
      paused += rung.paused;
    }
    RC_ASSERT(promoted == resumes);
    RC_ASSERT(paused ==
              static_cast<std::size_t>(std::count(state.begin(), state.end(), State::kPaused)));
  }
  // The experiment ends: the loop stops every paused trial; no candidate may remain.
  for (TrialId id = 0; id < state.size(); ++id) {
    if (state[id] == State::kPaused) scheduler->on_trial_finished(id, TrialEnd::kStopped);
  }
  for (const RungView& rung : scheduler->rungs()) RC_ASSERT(rung.paused == 0u);
  LoopState done;
  done.can_start_new = false;
  RC_ASSERT(scheduler->on_free_slot(done).kind == SlotChoice::Kind::kWait);
}

// A naive model of the stopping variant: sorted vectors and integer milestones eta^(k+s).
class StoppingModel {
 public:
  StoppingModel(const AshaOptions& o, int eta) : o_(o), eta_(eta) {}

  Decision expect(TrialId id, double t, double value) {
    if (t >= o_.max_t) return Decision::Complete("");
    const int bracket = static_cast<int>(id % static_cast<TrialId>(o_.brackets));
    int k = -1;
    for (int i = 0; std::pow(eta_, i + bracket) <= o_.max_t; ++i) {
      if (std::pow(eta_, i + bracket) <= t) k = i;
    }
    auto [it, fresh] = highest_.try_emplace(id, -1);
    if (k <= it->second) return Decision::Continue();
    it->second = k;
    if (std::isnan(value)) return Decision::Stop("");
    std::vector<double>& scores = rungs_[{bracket, k}];
    const double s = o_.mode == Mode::kMax ? value : -value;
    if (scores.empty()) {
      scores.push_back(s);
      return Decision::Continue();
    }
    std::sort(scores.begin(), scores.end());
    // numpy.percentile, linear: pos = q (n - 1).
    const double pos = (1.0 - 1.0 / eta_) * static_cast<double>(scores.size() - 1);
    const auto lo = static_cast<std::size_t>(pos);
    const double hi = scores[std::min(lo + 1, scores.size() - 1)];
    const double cutoff = scores[lo] + (hi - scores[lo]) * (pos - static_cast<double>(lo));
    scores.push_back(s);
    return s < cutoff ? Decision::Stop("") : Decision::Continue();
  }

 private:
  AshaOptions o_;
  int eta_;
  std::map<TrialId, int> highest_;
  std::map<std::pair<int, int>, std::vector<double>> rungs_;
};

RC_GTEST_PROP(AshaProperty, StoppingMatchesANaiveModelAndNeverPausesOrResumes, ()) {
  const int eta = *rc::gen::inRange(2, 5);
  const AshaOptions o = random_options(eta);
  const auto max_trials = static_cast<TrialId>(*rc::gen::inRange(1, 60));
  const auto workers = static_cast<std::size_t>(*rc::gen::inRange(1, 5));
  auto scheduler = make_asha_stopping(o);
  StoppingModel model(o, eta);

  std::vector<double> resource;
  std::vector<bool> stopped;
  std::vector<TrialId> running;
  for (const Step& step : steps(eta, false)) {
    while (running.size() < workers) {
      LoopState loop;
      loop.can_start_new = resource.size() < max_trials;
      const SlotChoice choice = scheduler->on_free_slot(loop);
      RC_ASSERT(choice.kind != SlotChoice::Kind::kResume);
      if (choice.kind == SlotChoice::Kind::kWait) break;
      const TrialId id = resource.size();
      scheduler->on_trial_added(id, {});
      resource.push_back(0);
      stopped.push_back(false);
      running.push_back(id);
    }
    if (running.empty()) break;
    const std::size_t slot = static_cast<std::size_t>(step.pick) % running.size();
    const TrialId id = running[slot];
    RC_ASSERT(!stopped[id]);  // the loop never reports for a stopped trial
    resource[id] += step.advance;
    const Decision got = scheduler->on_result(id, Result{resource[id], step.value}, LoopState{});
    const Decision want = model.expect(id, resource[id], step.value);
    RC_ASSERT(got.action == want.action);
    RC_ASSERT(got.completed == want.completed);
    if (got.action == Action::kStop) {
      stopped[id] = true;
      running.erase(running.begin() + static_cast<std::ptrdiff_t>(slot));
      scheduler->on_trial_finished(id, got.completed ? TrialEnd::kCompleted : TrialEnd::kStopped);
    }
  }
  for (const RungView& rung : scheduler->rungs()) {
    RC_ASSERT(rung.paused == 0u);
    RC_ASSERT(rung.promoted <= rung.recorded);
  }
}

}  // namespace
}  // namespace tuneq
