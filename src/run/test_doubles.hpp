// Test doubles for the tuner loop's tests: a searcher that hands out fixed configs, a scheduler
// whose answers are lambdas and that records every call, an in-memory event sink, and an
// executor wrapper that watches resources and injects crashes. Header-only; tests only.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "tuneq/event.hpp"
#include "tuneq/executor.hpp"
#include "tuneq/scheduler.hpp"
#include "tuneq/searcher.hpp"
#include "tuneq/tuner.hpp"

namespace tuneq::looptest {

// A shared, ordered record of calls ("added 0", "finished 1 stopped", ...) made to the doubles.
using CallLog = std::shared_ptr<std::vector<std::string>>;

inline const char* end_name(TrialEnd how) {
  switch (how) {
    case TrialEnd::kCompleted:
      return "completed";
    case TrialEnd::kStopped:
      return "stopped";
    case TrialEnd::kFailed:
      return "failed";
  }
  return "?";
}

// Hands out `configs` in order, then kDone. With `unbounded`, configs {"x": id} forever.
class ScriptedSearcher final : public Searcher {
 public:
  explicit ScriptedSearcher(std::vector<Config> configs, CallLog log = nullptr)
      : configs_(std::move(configs)), log_(std::move(log)) {}
  static std::unique_ptr<ScriptedSearcher> Unbounded(CallLog log = nullptr) {
    auto s = std::make_unique<ScriptedSearcher>(std::vector<Config>{}, std::move(log));
    s->unbounded_ = true;
    return s;
  }
  // n configs {"x": 0}, {"x": 1}, ...
  static std::vector<Config> numbered(int n) {
    std::vector<Config> configs;
    for (int i = 0; i < n; ++i) configs.push_back(Config{{"x", Value(i)}});
    return configs;
  }

  Suggestion suggest(TrialId id) override {
    if (unbounded_) return Suggestion::Of(Config{{"x", Value(static_cast<std::int64_t>(id))}});
    if (next_ >= configs_.size()) {
      if (log_) log_->push_back("searcher done");
      return Suggestion::Done();
    }
    return Suggestion::Of(configs_[next_++]);
  }
  void on_trial_finished(TrialId id, TrialEnd how) override {
    if (log_) log_->push_back(fmt::format("searcher finished {} {}", id, end_name(how)));
  }

 private:
  std::vector<Config> configs_;
  std::size_t next_ = 0;
  bool unbounded_ = false;
  CallLog log_;
};

// Answers through the lambdas (defaults: continue; the base class's free-slot rule), records
// every call in the log, and hands out `to_stop` (which the lambdas may fill) when asked.
class ScriptedScheduler final : public Scheduler {
 public:
  using ResultFn = std::function<Decision(TrialId, const Result&, const LoopState&)>;
  using SlotFn = std::function<SlotChoice(const LoopState&)>;

  explicit ScriptedScheduler(CallLog log = nullptr) : log_(std::move(log)) {}

  std::string name() const override { return "scripted"; }
  void on_trial_added(TrialId id, const Config& /*config*/) override {
    record(fmt::format("added {}", id));
  }
  Decision on_result(TrialId id, const Result& result, const LoopState& loop) override {
    record(fmt::format("result {} {}", id, result.resource));
    return on_result_fn ? on_result_fn(id, result, loop) : Decision::Continue();
  }
  void on_trial_finished(TrialId id, TrialEnd how) override {
    finished[id] = how;
    record(fmt::format("finished {} {}", id, end_name(how)));
  }
  SlotChoice on_free_slot(const LoopState& loop) override {
    slot_states.push_back(loop);
    return on_free_slot_fn ? on_free_slot_fn(loop) : Scheduler::on_free_slot(loop);
  }
  void on_no_more_trials() override {
    ++no_more_trials_calls;
    record("no more trials");
  }
  std::vector<TrialId> take_trials_to_stop() override { return std::exchange(to_stop, {}); }

  ResultFn on_result_fn;
  SlotFn on_free_slot_fn;
  std::vector<TrialId> to_stop;
  std::map<TrialId, TrialEnd> finished;
  std::vector<LoopState> slot_states;
  int no_more_trials_calls = 0;

 private:
  void record(std::string call) {
    if (log_) log_->push_back(std::move(call));
  }
  CallLog log_;
};

class MemorySink final : public EventSink {
 public:
  void append(const Event& event) override { events.push_back(event); }
  void flush() override { ++flushes; }

  // Events of one kind, or of one trial, in order.
  std::vector<Event> of(Event::Kind kind) const {
    std::vector<Event> out;
    for (const Event& e : events) {
      if (e.kind == kind) out.push_back(e);
    }
    return out;
  }
  // Events about one trial (kNoMoreTrials, which carries trial 0, is about none).
  std::vector<Event> for_trial(TrialId id) const {
    std::vector<Event> out;
    for (const Event& e : events) {
      if (e.trial == id && e.kind != Event::Kind::kNoMoreTrials) out.push_back(e);
    }
    return out;
  }
  // "kind trial data" per event, for readable whole-sequence comparisons.
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    for (const Event& e : events) {
      out.push_back(fmt::format("{} {} {}", to_string(e.kind), e.trial, e.data));
    }
    return out;
  }

  std::vector<Event> events;
  int flushes = 0;
};

// Wraps an executor: checks at every launch that running trials never hold more than the pool
// (cpu and GPU indices, no GPU given twice), remembers every launch request, and crashes chosen
// trials: crash_after[{trial, k}] makes the k-th report (counted per trial over all launches)
// end in a failed exit (exit code 137, error "killed") instead of continuing.
class WatchingExecutor final : public Executor {
 public:
  WatchingExecutor(Executor& inner, ResourcePool pool) : inner_(inner), pool_(std::move(pool)) {}

  void launch(const LaunchRequest& request) override {
    launches.push_back(request);
    cpu_in_use_ += request.allocation.cpu;
    if (cpu_in_use_ > pool_.cpu) violations.push_back(fmt::format("cpu {}", cpu_in_use_));
    for (int gpu : request.allocation.gpus) {
      bool in_pool = false;
      for (int g : pool_.gpus) in_pool = in_pool || g == gpu;
      if (!in_pool) violations.push_back(fmt::format("gpu {} not in pool", gpu));
      if (!gpus_in_use_.insert(gpu).second) violations.push_back(fmt::format("gpu {} twice", gpu));
    }
    running_[request.trial] = request.allocation;
    max_running = std::max(max_running, running_.size());
    inner_.launch(request);
  }
  void reply(TrialId trial, Action action) override {
    if (action == Action::kContinue && crash_after.count({trial, reports_[trial]})) {
      crashing_.insert(trial);
      inner_.cancel(trial);
      return;
    }
    inner_.reply(trial, action);
  }
  void cancel(TrialId trial) override { inner_.cancel(trial); }
  std::optional<ExecutorEvent> next_event(double deadline) override {
    std::optional<ExecutorEvent> event = inner_.next_event(deadline);
    if (!event) return event;
    if (event->kind == ExecutorEvent::Kind::kResult) {
      ++reports_[event->trial];
    } else {
      const Allocation& allocation = running_.at(event->trial);
      cpu_in_use_ -= allocation.cpu;
      for (int gpu : allocation.gpus) gpus_in_use_.erase(gpu);
      running_.erase(event->trial);
      if (crashing_.erase(event->trial) > 0) {
        event->ok = false;
        event->exit_code = 137;
        event->error = "killed";
      }
    }
    return event;
  }

  std::set<std::pair<TrialId, std::size_t>> crash_after;
  std::vector<LaunchRequest> launches;
  std::vector<std::string> violations;
  std::size_t max_running = 0;

 private:
  Executor& inner_;
  ResourcePool pool_;
  int cpu_in_use_ = 0;
  std::set<int> gpus_in_use_;
  std::map<TrialId, Allocation> running_;
  std::map<TrialId, std::size_t> reports_;
  std::set<TrialId> crashing_;
};

}  // namespace tuneq::looptest
