// In-process executor: trainables run on a fixed pool of worker threads; the tuner loop talks to
// them through one mutex-guarded queue of events.
//
//   launch   -> the request joins a FIFO of launches; a free worker takes it and calls the
//               trainable with a TrialContext (more launches than threads wait in the FIFO).
//   report   -> pushes kResult (with the checkpoint saved since the previous report, if any)
//               and blocks the trial's thread until reply() (or cancel) answers it. After a
//               pause/stop answer every later report returns that answer at once, unrecorded.
//   return   -> kExited ok. throw -> kExited not ok, exit_code 1, error = the message.
//   cancel   -> the pending or next report returns kStop; a launch still in the FIFO is dropped
//               and its kExited (ok) is pushed at once.
//
// Checkpoints live in memory: save_checkpoint(bytes) stores them as "mem:<trial>:<n>" (n = 1,
// 2, ... per trial); launching with that handle as restore makes ctx.restore() return the bytes.
// A checkpoint lives until discard_checkpoint drops it (the loop's checkpoint_keep retention),
// or until a newer one is saved before any report named it. Any trial may restore from any
// trial's checkpoint (PBT's exploit): it gets its own copy of the bytes.
//
// Time: deadlines and ExecutorEvent::time are read from the clock given to the factory (the
// tuner's clock); without one, from a system clock started when the executor is made, which is
// the tuner's time only if the tuner's make_system_clock() was created at about the same moment.
//
// Locking: one mutex (mu_) guards every member below it; each trial has its own condition
// variable for its reply. The destructor cancels every trial and joins the workers, so a
// trainable that never reports or returns blocks it.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "tuneq/clock.hpp"
#include "tuneq/error.hpp"
#include "tuneq/inprocess.hpp"

namespace tuneq {
namespace {

// Longest single wait in next_event, so that a clock moved by someone else is noticed.
constexpr double kWaitSlice = 0.1;

class InProcessExecutor final : public Executor {
 public:
  InProcessExecutor(Trainable trainable, std::size_t threads, const Clock* clock)
      : trainable_(std::move(trainable)) {
    if (!trainable_) throw Error::InvalidArgument("in-process executor: trainable must be set");
    if (threads == 0) throw Error::InvalidArgument("in-process executor: threads must be >= 1");
    if (clock == nullptr) {
      own_clock_ = make_system_clock();
      clock = own_clock_.get();
    }
    clock_ = clock;
    workers_.reserve(threads);
    for (std::size_t i = 0; i < threads; ++i) workers_.emplace_back([this] { work(); });
  }

  ~InProcessExecutor() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      shutting_down_ = true;
      launches_.clear();
      for (auto& [id, trial] : trials_) {
        (void)id;
        trial->queued = false;
        answer_with_stop(*trial);
      }
    }
    work_ready_.notify_all();
    for (std::thread& worker : workers_) worker.join();
  }

  void launch(const LaunchRequest& request) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::unique_ptr<TrialSlot>& slot = trials_[request.trial];
    if (!slot) slot = std::make_unique<TrialSlot>();
    if (slot->active) {
      throw Error::FailedPrecondition(
          fmt::format("in-process executor: trial {} is already running", request.trial));
    }
    Launch launch{request, std::nullopt};
    if (request.restore) launch.restore_bytes = find_checkpoint(*request.restore);
    slot->active = true;
    slot->queued = true;
    slot->awaiting = false;
    slot->reply.reset();
    slot->final_action.reset();
    slot->unreported_checkpoint.reset();
    ++active_;
    launches_.push_back(std::move(launch));
    work_ready_.notify_one();
  }

  void discard_checkpoint(TrialId owner, const std::string& checkpoint) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::optional<std::pair<TrialId, std::uint64_t>> handle = parse_handle(checkpoint);
    if (!handle || handle->first != owner) return;
    auto slot = trials_.find(owner);
    if (slot != trials_.end()) slot->second->checkpoints.erase(handle->second);
  }

  void reply(TrialId trial, Action action) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = trials_.find(trial);
    if (it == trials_.end() || !it->second->awaiting) return;  // e.g. already answered by cancel
    TrialSlot& slot = *it->second;
    slot.awaiting = false;
    slot.reply = action;
    slot.replied.notify_one();
  }

  void cancel(TrialId trial) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = trials_.find(trial);
    if (it == trials_.end() || !it->second->active) return;
    TrialSlot& slot = *it->second;
    if (slot.queued) {  // not started yet: drop the launch, it exits at once
      auto pending = std::find_if(launches_.begin(), launches_.end(),
                                  [&](const Launch& l) { return l.request.trial == trial; });
      if (pending != launches_.end()) launches_.erase(pending);
      slot.queued = false;
      exited(trial, slot, true, "");
      return;
    }
    answer_with_stop(slot);
  }

  std::optional<ExecutorEvent> next_event(double deadline) override {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      if (!events_.empty()) {
        ExecutorEvent event = std::move(events_.front());
        events_.pop_front();
        return event;
      }
      if (active_ == 0) return std::nullopt;
      const double remaining = deadline - clock_->now();
      if (!(remaining > 0)) return std::nullopt;
      event_ready_.wait_for(lock, std::chrono::duration<double>(std::min(remaining, kWaitSlice)));
    }
  }

 private:
  struct TrialSlot {
    std::condition_variable replied;
    bool active = false;    // launched, kExited not yet pushed
    bool queued = false;    // waiting in launches_ for a worker
    bool awaiting = false;  // blocked in report() until reply
    std::optional<Action> reply;
    std::optional<Action> final_action;                // pause/stop given: later reports return it
    std::optional<std::string> unreported_checkpoint;  // handle saved since the last report
    std::uint64_t checkpoints_saved = 0;
    std::map<std::uint64_t, std::string> checkpoints;  // n -> bytes
  };

  struct Launch {
    LaunchRequest request;
    std::optional<std::string> restore_bytes;
  };

  class Context final : public TrialContext {
   public:
    Context(InProcessExecutor& executor, TrialSlot& slot, const Launch& launch)
        : executor_(executor), slot_(slot), launch_(launch) {}
    TrialId trial_id() const override { return launch_.request.trial; }
    const Config& config() const override { return launch_.request.config; }
    std::optional<std::string> restore() const override { return launch_.restore_bytes; }
    void save_checkpoint(std::string bytes) override {
      executor_.save_checkpoint(trial_id(), slot_, std::move(bytes));
    }
    Action report(const Metrics& metrics) override {
      return executor_.report(trial_id(), slot_, metrics);
    }

   private:
    InProcessExecutor& executor_;
    TrialSlot& slot_;
    const Launch& launch_;
  };

  // The worker threads' loop: take a launch, run it, push its kExited.
  void work() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      work_ready_.wait(lock, [this] { return shutting_down_ || !launches_.empty(); });
      if (shutting_down_) return;
      const Launch launch = std::move(launches_.front());
      launches_.pop_front();
      TrialSlot& slot = *trials_.at(launch.request.trial);  // slots are never erased
      slot.queued = false;
      lock.unlock();

      bool ok = true;
      std::string error;
      try {
        Context context(*this, slot, launch);
        trainable_(context);
      } catch (const std::exception& e) {
        ok = false;
        error = e.what();
      } catch (...) {
        ok = false;
        error = "unknown exception";
      }

      lock.lock();
      exited(launch.request.trial, slot, ok, std::move(error));
    }
  }

  Action report(TrialId trial, TrialSlot& slot, const Metrics& metrics) {
    std::unique_lock<std::mutex> lock(mu_);
    if (shutting_down_) slot.final_action = Action::kStop;
    if (slot.final_action) return *slot.final_action;
    ExecutorEvent event;
    event.kind = ExecutorEvent::Kind::kResult;
    event.trial = trial;
    event.time = clock_->now();
    event.metrics = metrics;
    if (slot.unreported_checkpoint) {
      event.checkpoint = std::move(slot.unreported_checkpoint);
      slot.unreported_checkpoint.reset();
    }
    slot.awaiting = true;
    slot.reply.reset();
    events_.push_back(std::move(event));
    event_ready_.notify_one();
    slot.replied.wait(lock, [&] { return slot.reply.has_value(); });
    const Action action = *slot.reply;
    slot.reply.reset();
    if (action != Action::kContinue) slot.final_action = action;
    return action;
  }

  void save_checkpoint(TrialId trial, TrialSlot& slot, std::string bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    if (slot.unreported_checkpoint) slot.checkpoints.erase(slot.checkpoints_saved);  // never named
    const std::uint64_t n = ++slot.checkpoints_saved;
    slot.checkpoints[n] = std::move(bytes);
    slot.unreported_checkpoint = fmt::format("mem:{}:{}", trial, n);
  }

  // REQUIRES: mu_ held.
  void answer_with_stop(TrialSlot& slot) {
    if (!slot.active) return;
    if (!slot.final_action) slot.final_action = Action::kStop;
    if (slot.awaiting) {
      slot.awaiting = false;
      slot.reply = Action::kStop;
      slot.replied.notify_one();
    }
  }

  // REQUIRES: mu_ held.
  void exited(TrialId trial, TrialSlot& slot, bool ok, std::string error) {
    slot.active = false;
    slot.awaiting = false;
    --active_;
    ExecutorEvent event;
    event.kind = ExecutorEvent::Kind::kExited;
    event.trial = trial;
    event.time = clock_->now();
    event.ok = ok;
    event.exit_code = ok ? 0 : 1;
    event.error = std::move(error);
    events_.push_back(std::move(event));
    event_ready_.notify_one();
  }

  // The bytes behind a "mem:<trial>:<n>" handle. REQUIRES: mu_ held.
  static std::optional<std::pair<TrialId, std::uint64_t>> parse_handle(const std::string& handle) {
    if (handle.rfind("mem:", 0) != 0) return std::nullopt;
    TrialId trial = 0;
    std::uint64_t n = 0;
    const char* begin = handle.data() + 4;
    const char* end = handle.data() + handle.size();
    auto [after_trial, ec1] = std::from_chars(begin, end, trial);
    if (ec1 != std::errc() || after_trial == end || *after_trial != ':') return std::nullopt;
    auto [after_n, ec2] = std::from_chars(after_trial + 1, end, n);
    if (ec2 != std::errc() || after_n != end) return std::nullopt;
    return std::pair{trial, n};
  }

  std::string find_checkpoint(const std::string& handle) const {
    if (const auto parsed = parse_handle(handle)) {
      auto slot = trials_.find(parsed->first);
      if (slot != trials_.end()) {
        auto bytes = slot->second->checkpoints.find(parsed->second);
        if (bytes != slot->second->checkpoints.end()) return bytes->second;
      }
    }
    throw Error::NotFound(fmt::format("in-process executor: no checkpoint '{}'", handle));
  }

  const Trainable trainable_;
  std::unique_ptr<Clock> own_clock_;
  const Clock* clock_ = nullptr;
  std::vector<std::thread> workers_;

  std::mutex mu_;
  std::condition_variable event_ready_;  // the loop waits here for events_
  std::condition_variable work_ready_;   // workers wait here for launches_
  std::deque<ExecutorEvent> events_;
  std::deque<Launch> launches_;
  std::unordered_map<TrialId, std::unique_ptr<TrialSlot>> trials_;
  std::size_t active_ = 0;  // trials launched whose kExited is not yet pushed
  bool shutting_down_ = false;
};

}  // namespace

std::unique_ptr<Executor> make_inprocess_executor(Trainable trainable, std::size_t threads,
                                                  const Clock* clock) {
  return std::make_unique<InProcessExecutor>(std::move(trainable), threads, clock);
}

}  // namespace tuneq
