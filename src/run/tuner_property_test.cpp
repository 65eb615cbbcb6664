// Properties of the tuner loop under a scheduler that answers at random (continue, pause, stop,
// resume any trial it believes paused, end paused trials through take_trials_to_stop), random
// pools and requests, random crashes and budgets, on the simulated executor:
//   - running trials never hold more cpu or GPUs than the pool (checked at every launch);
//   - nothing happens to a trial after its kFinished (a stopped trial never runs again);
//   - every trial ends in exactly one final state, and the events agree with it;
//   - a trial the scheduler ends while paused (or pausing) ends stopped.
#include <map>
#include <memory>
#include <set>
#include <vector>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "run/test_doubles.hpp"
#include "tuneq/clock.hpp"
#include "tuneq/rng.hpp"
#include "tuneq/simulated.hpp"
#include "tuneq/tuner.hpp"

namespace tuneq::looptest {
namespace {

class RandomScheduler final : public Scheduler {
 public:
  RandomScheduler(std::uint64_t seed, double p_pause, double p_stop)
      : rng_(seed), p_pause_(p_pause), p_stop_(p_stop) {}

  std::string name() const override { return "random"; }
  Decision on_result(TrialId id, const Result&, const LoopState&) override {
    const double u = rng_.uniform01();
    maybe_end_a_paused_trial();
    if (u < p_pause_) {
      believed_paused_.push_back(id);
      return Decision::Pause("random pause");
    }
    if (u < p_pause_ + p_stop_) {
      return rng_.below(2) == 0 ? Decision::Stop("random stop") : Decision::Complete("done");
    }
    return Decision::Continue();
  }
  SlotChoice on_free_slot(const LoopState& loop) override {
    maybe_end_a_paused_trial();
    const bool resume = !believed_paused_.empty() && (!loop.can_start_new || rng_.below(2) == 0);
    if (resume) return SlotChoice::Resume(take_random_paused());
    return loop.can_start_new ? SlotChoice::StartNew() : SlotChoice::Wait();
  }
  void on_trial_finished(TrialId id, TrialEnd) override { ++finish_calls[id]; }
  std::vector<TrialId> take_trials_to_stop() override { return std::exchange(to_stop_, {}); }

  std::map<TrialId, int> finish_calls;
  std::set<TrialId> ended_while_paused;  // handed to the loop through take_trials_to_stop

 private:
  void maybe_end_a_paused_trial() {
    if (!believed_paused_.empty() && rng_.below(8) == 0) {
      to_stop_.push_back(take_random_paused());
      ended_while_paused.insert(to_stop_.back());
    }
  }
  TrialId take_random_paused() {
    const std::size_t i = rng_.below(believed_paused_.size());
    const TrialId id = believed_paused_[i];
    believed_paused_.erase(believed_paused_.begin() + static_cast<std::ptrdiff_t>(i));
    return id;
  }

  Rng rng_;
  double p_pause_;
  double p_stop_;
  std::vector<TrialId> believed_paused_;  // paused by us, not yet resumed or ended
  std::vector<TrialId> to_stop_;
};

RC_GTEST_PROP(TunerProperty, ResourcesStatusesAndEventsStayConsistent, ()) {
  TunerOptions options;
  options.metric = "loss";
  options.pool.cpu = *rc::gen::inRange(1, 9);
  const int num_gpus = *rc::gen::inRange(0, 5);
  for (int g = 0; g < num_gpus; ++g) options.pool.gpus.push_back(2 * g + 1);
  options.per_trial.cpu = *rc::gen::inRange(1, options.pool.cpu + 1);
  options.per_trial.gpu = *rc::gen::inRange(0, num_gpus + 1);
  options.max_concurrent = *rc::gen::inRange<std::size_t>(0, 4);
  options.max_failures = *rc::gen::inRange(0, 3);
  const int num_trials = *rc::gen::inRange(1, 25);
  const bool use_time_budget = *rc::gen::arbitrary<bool>();
  if (use_time_budget) options.budget.max_time = *rc::gen::inRange(1, 40);
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  const double p_pause = *rc::gen::inRange(0, 50) / 100.0;
  const double p_stop = *rc::gen::inRange(0, 30) / 100.0;

  SimulatedTrial sim;
  sim.max_steps = *rc::gen::inRange<std::uint64_t>(1, 7);
  sim.curve = [](const Config& c, std::uint64_t step) {
    return static_cast<double>(c.at("x").as_int() % 5) / static_cast<double>(step);
  };
  sim.step_cost = [](const Config& c, std::uint64_t step) {
    return 0.5 +
           static_cast<double>((c.at("x").as_int() * 7 + static_cast<std::int64_t>(step)) % 4);
  };

  ManualClock clock;
  auto simulated = make_simulated_executor(sim, clock);
  WatchingExecutor executor(*simulated, options.pool);
  Rng crash_rng(seed ^ 0x5eed);
  for (int i = 0; i < num_trials; ++i) {
    if (crash_rng.below(4) == 0) {
      executor.crash_after.insert({static_cast<TrialId>(i), 1 + crash_rng.below(sim.max_steps)});
    }
  }
  auto scheduler = std::make_unique<RandomScheduler>(seed, p_pause, p_stop);
  RandomScheduler* sched = scheduler.get();
  MemorySink sink;
  Tuner tuner(options, std::make_unique<ScriptedSearcher>(ScriptedSearcher::numbered(num_trials)),
              std::move(scheduler), executor, clock, &sink);
  const TuneResult result = tuner.run();

  RC_ASSERT(executor.violations.empty());
  std::size_t capacity = static_cast<std::size_t>(options.pool.cpu / options.per_trial.cpu);
  if (options.per_trial.gpu > 0) {
    capacity = std::min(capacity, static_cast<std::size_t>(num_gpus / options.per_trial.gpu));
  }
  if (options.max_concurrent > 0) capacity = std::min(capacity, options.max_concurrent);
  RC_ASSERT(executor.max_running <= capacity);
  RC_ASSERT(result.utilisation <= 1.0 + 1e-9);

  // Walk the log: nothing after kFinished; remember each trial's last event.
  std::map<TrialId, int> finished_events;
  std::map<TrialId, Event> last;
  int no_more_trials_events = 0;
  for (const Event& e : sink.events) {
    if (e.kind == Event::Kind::kNoMoreTrials) {  // about no trial
      ++no_more_trials_events;
      continue;
    }
    RC_ASSERT(finished_events[e.trial] == 0);
    if (e.kind == Event::Kind::kFinished) ++finished_events[e.trial];
    last[e.trial] = e;
  }
  RC_ASSERT(no_more_trials_events <= 1);
  RC_ASSERT(result.trials.size() == last.size());
  for (const TrialRecord& t : result.trials) {
    if (sched->ended_while_paused.count(t.id)) RC_ASSERT(t.status == TrialStatus::kStopped);
    const Event& final_event = last.at(t.id);
    switch (t.status) {
      case TrialStatus::kCompleted:
      case TrialStatus::kStopped:
        RC_ASSERT(final_event.kind == Event::Kind::kFinished);
        RC_ASSERT(final_event.data == fmt::format(R"({{"status":"{}"}})", to_string(t.status)));
        RC_ASSERT(sched->finish_calls[t.id] == 1);
        break;
      case TrialStatus::kFailed:
        RC_ASSERT(final_event.kind == Event::Kind::kFailed);
        RC_ASSERT(t.failures == options.max_failures + 1);
        RC_ASSERT(sched->finish_calls[t.id] == 1);
        break;
      case TrialStatus::kPaused:  // paused and never promoted
        RC_ASSERT(final_event.kind == Event::Kind::kPaused);
        RC_ASSERT(sched->finish_calls[t.id] == 0);
        break;
      default:
        RC_FAIL("trial left pending or running");
    }
  }
  if (!use_time_budget) RC_ASSERT(result.end_reason == std::string("searcher exhausted"));
}

}  // namespace
}  // namespace tuneq::looptest
