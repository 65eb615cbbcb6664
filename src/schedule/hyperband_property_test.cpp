// Property test for synchronous Hyperband: a small, well-behaved tuner loop (a fixed number of
// slots; results only from running trials; resumes only where on_free_slot says; losers ended
// as soon as take_trials_to_stop hands them over) runs random plans and random results, and
// checks the rules of the algorithm from the outside.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "tuneq/plan.hpp"
#include "tuneq/scheduler.hpp"

namespace tuneq {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// One step of the loop: which running trial reports, how far it advances (sometimes past a rung
// in one report), what it reports, and whether the loop ends a trial on its own instead (a crash
// of a running trial, or dropping a paused one).
struct Step {
  int pick = 0;
  int advance = 1;
  double value = 0;
  bool fail_running = false;
  bool end_paused = false;
};

enum class State { kRunning, kPaused, kEnded };

struct SimTrial {
  std::size_t bracket = 0;  // serial number of the bracket (0, 1, ...), as the loop infers it
  std::size_t rung = 0;     // the rung it is heading to or paused at
  double resource = 0;
  State state = State::kRunning;
};

// A rung of one bracket instance: the values recorded there, who went on, who was cut.
struct RungLog {
  std::map<TrialId, double> recorded;
  std::vector<TrialId> promoted;
  std::vector<TrialId> cut;
};

class Sim {
 public:
  Sim(const HyperbandOptions& options, std::size_t slots, std::size_t budget)
      : options_(options),
        plan_(hyperband_plan(options.max_t, static_cast<int>(options.reduction_factor))),
        hb_(make_hyperband(options)),
        slots_(slots),
        budget_(budget) {}

  void run(const std::vector<Step>& steps) {
    std::size_t step_index = 0;
    for (int guard = 0; guard < 1000000; ++guard) {
      fill_slots();
      if (!no_more_ && trials_.size() == budget_) {
        no_more_ = true;
        hb_->on_no_more_trials();
        drain();
        continue;
      }
      if (running_.empty()) return check_end();
      const Step step = step_index < steps.size() ? steps[step_index++] : Step{};
      if (step.end_paused) end_a_paused_trial(step.pick);
      if (step.fail_running) {
        const TrialId id = running_[static_cast<std::size_t>(step.pick) % running_.size()];
        end(id, TrialEnd::kFailed);
        continue;
      }
      report(running_[static_cast<std::size_t>(step.pick) % running_.size()], step);
    }
    RC_FAIL("the loop did not finish");
  }

 private:
  const RungPlan& rung_plan(const SimTrial& t) const {
    return plan_[t.bracket % plan_.size()].rungs[t.rung];
  }
  std::size_t last_rung(const SimTrial& t) const {
    return plan_[t.bracket % plan_.size()].rungs.size() - 1;
  }

  void fill_slots() {
    while (running_.size() < slots_) {
      const SlotChoice c = hb_->on_free_slot({trials_.size() < budget_, 0});
      drain();
      if (c.kind == SlotChoice::Kind::kWait) return;
      if (c.kind == SlotChoice::Kind::kStartNew) {
        RC_ASSERT(trials_.size() < budget_);
        add_trial();
      } else {
        resume(c.trial);
      }
    }
  }

  void add_trial() {
    if (bracket_size_ == plan_[bracket_ % plan_.size()].rungs[0].trials) {
      // Only one bracket at a time: the previous one has ended entirely.
      for (const SimTrial& t : trials_) RC_ASSERT(t.state == State::kEnded);
      ++bracket_;
      bracket_size_ = 0;
    }
    ++bracket_size_;
    const auto id = static_cast<TrialId>(trials_.size());
    trials_.push_back(SimTrial{bracket_, 0, 0, State::kRunning});
    hb_->on_trial_added(id, {});
    running_.push_back(id);
  }

  void resume(TrialId id) {
    RC_ASSERT(id < trials_.size());
    SimTrial& t = trials_[id];
    RC_ASSERT(t.state == State::kPaused);  // never a running or an ended (stopped) trial
    RC_ASSERT(t.bracket == bracket_);
    RungLog& log = logs_[{t.bracket, t.rung}];
    RC_ASSERT(log.recorded.count(id) == 1u);  // it paused at this rung
    promote(id, t);
    t.state = State::kRunning;
    running_.push_back(id);
  }

  void promote(TrialId id, SimTrial& t) {
    RungLog& log = logs_[{t.bracket, t.rung}];
    log.promoted.push_back(id);
    // Never more than the plan's n_{i+1} = floor(n_i / eta) go on.
    const auto& rungs = plan_[t.bracket % plan_.size()].rungs;
    RC_ASSERT(log.promoted.size() <= rungs[t.rung + 1].trials);
    ++t.rung;
  }

  void report(TrialId id, const Step& step) {
    SimTrial& t = trials_[id];
    t.resource += step.advance;
    const Decision d = hb_->on_result(id, Result{t.resource, step.value}, LoopState{});
    const double milestone = rung_plan(t).resource;
    if (t.resource < milestone) {
      RC_ASSERT(d.action == Action::kContinue);  // nothing happens between rungs
    } else if (t.rung == last_rung(t)) {
      RC_ASSERT(d.action == Action::kStop);
      RC_ASSERT(d.completed);
      RC_ASSERT(t.resource >= options_.max_t);
      end(id, TrialEnd::kCompleted);
    } else {
      RungLog& log = logs_[{t.bracket, t.rung}];
      log.recorded[id] = step.value;
      RC_ASSERT(!d.completed);
      if (d.action == Action::kContinue) {  // it completed the rung and was promoted
        promote(id, t);
      } else if (d.action == Action::kStop) {  // it completed the rung and was cut
        log.cut.push_back(id);
        end(id, TrialEnd::kStopped);
      } else {
        t.state = State::kPaused;
        std::erase(running_, id);
      }
    }
    drain();
  }

  void end_a_paused_trial(int pick) {
    std::vector<TrialId> paused;
    for (TrialId id = 0; id < trials_.size(); ++id) {
      if (trials_[id].state == State::kPaused) paused.push_back(id);
    }
    if (!paused.empty())
      end(paused[static_cast<std::size_t>(pick) % paused.size()], TrialEnd::kStopped);
  }

  void end(TrialId id, TrialEnd how) {
    SimTrial& t = trials_[id];
    RC_ASSERT(t.state != State::kEnded);
    if (t.state == State::kRunning) std::erase(running_, id);
    t.state = State::kEnded;
    hb_->on_trial_finished(id, how);
    drain();
  }

  // Losers handed over by the scheduler: paused trials that paused at their rung; ended at once.
  void drain() {
    for (TrialId id : hb_->take_trials_to_stop()) {
      RC_ASSERT(id < trials_.size());
      SimTrial& t = trials_[id];
      RC_ASSERT(t.state == State::kPaused);
      RungLog& log = logs_[{t.bracket, t.rung}];
      RC_ASSERT(log.recorded.count(id) == 1u);
      log.cut.push_back(id);
      end(id, TrialEnd::kStopped);
    }
  }

  void check_end() {
    // Every trial of every bracket ended: none is left paused forever.
    for (const SimTrial& t : trials_) RC_ASSERT(t.state == State::kEnded);
    const Mode mode = options_.mode;
    const auto eta = static_cast<std::uint64_t>(options_.reduction_factor);
    for (const auto& [key, log] : logs_) {
      const auto& [bracket, rung] = key;
      // quota_0 = n (or the trials the last, partial bracket got); quota_{i+1} = quota_i / eta.
      const auto& rungs = plan_[bracket % plan_.size()].rungs;
      std::uint64_t quota = rungs[0].trials;
      if (bracket == bracket_) quota = std::min<std::uint64_t>(quota, bracket_size_);
      for (std::size_t i = 0; i <= rung; ++i) quota /= eta;
      RC_ASSERT(log.promoted.size() <= quota);
      // Everyone promoted ranks before everyone cut: better value, or equal and earlier trial.
      for (TrialId p : log.promoted) {
        for (TrialId c : log.cut) {
          const double pv = log.recorded.at(p);
          const double cv = log.recorded.at(c);
          RC_ASSERT(!better(mode, cv, pv));
          if (!better(mode, pv, cv)) RC_ASSERT(p < c);
        }
      }
    }
  }

  const HyperbandOptions options_;
  const std::vector<BracketPlan> plan_;
  std::unique_ptr<Scheduler> hb_;
  const std::size_t slots_;
  const std::size_t budget_;
  std::vector<SimTrial> trials_;
  std::vector<TrialId> running_;
  std::size_t bracket_ = 0;       // serial of the bracket new trials join
  std::size_t bracket_size_ = 0;  // trials it has
  bool no_more_ = false;
  std::map<std::pair<std::size_t, std::size_t>, RungLog> logs_;
};

rc::Gen<double> metric_values() {
  // Half steps in a narrow range make ties common.
  auto finite = rc::gen::map(rc::gen::inRange(-8, 8), [](int x) { return x / 2.0; });
  return rc::gen::weightedOneOf<double>(
      {{8, finite}, {1, rc::gen::just(kNaN)}, {1, rc::gen::element(kInf, -kInf)}});
}

rc::Gen<bool> rarely() {
  return rc::gen::weightedOneOf<bool>({{24, rc::gen::just(false)}, {1, rc::gen::just(true)}});
}

RC_GTEST_PROP(HyperbandProperty, SimulatedLoopKeepsTheRules, ()) {
  HyperbandOptions options;
  options.mode = *rc::gen::element(Mode::kMin, Mode::kMax);
  options.reduction_factor = *rc::gen::inRange(2, 5);
  options.max_t = *rc::gen::inRange(1, 82);
  const auto slots = static_cast<std::size_t>(*rc::gen::inRange(1, 9));
  const auto budget = static_cast<std::size_t>(*rc::gen::inRange(1, 150));
  const auto eta = static_cast<int>(options.reduction_factor);
  auto step = rc::gen::build<Step>(rc::gen::set(&Step::pick, rc::gen::inRange(0, 1000)),
                                   rc::gen::set(&Step::advance, rc::gen::inRange(1, eta * 2 + 1)),
                                   rc::gen::set(&Step::value, metric_values()),
                                   rc::gen::set(&Step::fail_running, rarely()),
                                   rc::gen::set(&Step::end_paused, rarely()));
  const auto steps = *rc::gen::resize(400, rc::gen::container<std::vector<Step>>(step));
  Sim(options, slots, budget).run(steps);
}

}  // namespace
}  // namespace tuneq
