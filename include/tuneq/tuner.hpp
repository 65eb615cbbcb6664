// The tuner loop: the one place that talks to the searcher, the scheduler and the executor.
// It owns all trial state; executors hand it events, it hands back decisions.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tuneq/clock.hpp"
#include "tuneq/event.hpp"
#include "tuneq/executor.hpp"
#include "tuneq/result.hpp"
#include "tuneq/scheduler.hpp"
#include "tuneq/searcher.hpp"

namespace tuneq {

// The slots trials run on.
struct ResourcePool {
  int cpu = 1;            // cpu slots in all
  std::vector<int> gpus;  // GPU indices that may be handed out (CUDA_VISIBLE_DEVICES)
};

// When the experiment ends. Unset members do not limit. The experiment also ends when the
// searcher is done and no trial is running or resumable.
struct Budget {
  std::optional<std::uint64_t> max_trials;  // trials started in all
  std::optional<double> max_time;           // seconds on the tuner's clock
  // Sum over all trials of the largest resource value each reported; when reached, running
  // trials are stopped and nothing new starts.
  std::optional<double> max_total_resource;
  // The experiment ends as soon as a result reaches this metric value (<= in min mode, >= in max).
  std::optional<double> metric_target;
};

struct TunerOptions {
  std::string metric;  // report key of the objective. REQUIRES: non-empty
  Mode mode = Mode::kMin;
  std::string resource_attr;  // report key measuring progress; "" = number of reports (1, 2, ...)
  ResourcePool pool;
  Resources per_trial;             // each trial's request; a trial starts only when it fits
  std::size_t max_concurrent = 0;  // 0: as many as the pool fits
  Budget budget;
  int max_failures = 0;  // retries of a trial whose executor reports failure, from its checkpoint
  // Checkpoints kept per trial: N > 0 keeps each trial's N newest plus any checkpoint a trial
  // was cloned from and has not replaced with its own yet (Executor::discard_checkpoint frees
  // the others); 0 keeps all.
  std::size_t checkpoint_keep = 0;
};

enum class TrialStatus : std::uint8_t {
  kPending,
  kRunning,
  kPaused,
  kCompleted,
  kStopped,
  kFailed
};
const char* to_string(TrialStatus s);

struct TrialRecord {
  TrialId id = 0;
  Config config;
  TrialStatus status = TrialStatus::kPending;
  std::size_t num_results = 0;
  double resource = 0;  // largest resource value reported
  double last_value = std::numeric_limits<double>::quiet_NaN();
  double best_value = std::numeric_limits<double>::quiet_NaN();  // best under the mode
  std::optional<std::string> checkpoint;                         // latest restorable checkpoint
  int failures = 0;
  std::string last_reason;  // reason of the latest non-trivial decision
  int exploits = 0;         // times restarted from another trial's checkpoint (PBT's exploit)
};

struct TuneResult {
  std::vector<TrialRecord> trials;  // by id
  std::optional<TrialId> best;      // trial with the best value of any result
  double best_value = std::numeric_limits<double>::quiet_NaN();
  double elapsed = 0;            // clock seconds from start to end
  double busy_slot_seconds = 0;  // sum over trials of time spent running
  double utilisation = 0;        // busy_slot_seconds / (slots * elapsed), slots = concurrency
  std::size_t num_results = 0;
  std::string end_reason;  // why the experiment ended
};

// What an observer (a progress display) sees, every progress interval and once at the end.
// Immutable: the references are valid only during the call.
struct ProgressView {
  double elapsed = 0;                                // clock seconds since the experiment began
  const std::vector<TrialRecord>* trials = nullptr;  // by id
  std::vector<RungView> rungs;                       // the scheduler's rungs, if it has any
  std::optional<TrialId> best;
  double best_value = std::numeric_limits<double>::quiet_NaN();
  std::size_t slots = 0;  // trials that can run at once
  bool final = false;     // the experiment has ended
};

class ProgressObserver {
 public:
  virtual ~ProgressObserver() = default;
  // Called on the loop thread. REQUIRES: does not call back into the tuner except request_stop.
  virtual void on_progress(const ProgressView& view) = 0;
};

class Tuner {
 public:
  // The tuner borrows executor, clock and sink (nullable); they must outlive run().
  Tuner(TunerOptions options, std::unique_ptr<Searcher> searcher,
        std::unique_ptr<Scheduler> scheduler, Executor& executor, const Clock& clock,
        EventSink* sink = nullptr);
  ~Tuner();
  Tuner(const Tuner&) = delete;
  Tuner& operator=(const Tuner&) = delete;

  // Runs the experiment to its end. Throws Error::InvalidArgument for unusable options.
  TuneResult run();

  // Continues an experiment from its event log (every event it appended, in order): replays the
  // log through the fresh searcher and scheduler given to the constructor (which must be built
  // from the same spec and seed), restarts the trials that were running from their latest
  // checkpoint, keeps paused trials promotable, then runs to the end. New events continue the
  // log's seq; the clock continues from the last event's time. Results a restarted trial reports
  // again (those after its checkpoint) are answered "continue" and not recorded twice.
  // Throws Error::Corruption when the log does not replay (another spec, seed or version).
  TuneResult resume(const std::vector<Event>& history);

  // Shows progress to `observer` (borrowed) every `interval` clock seconds and at the end.
  void set_observer(ProgressObserver* observer, double interval);

  // Ends the experiment as soon as the loop looks (within about half a second on a real clock):
  // running trials are stopped, paused ones stay paused. Loop thread only (e.g. from an observer
  // or a sink); for signals, set a flag the observer reads.
  void request_stop(std::string reason);

  // Ends the run the way a crash would, but cleanly: running trials are cancelled and left
  // unfinished in the log, so that resume() restarts them from their checkpoints (Ctrl-C).
  // Loop thread only, like request_stop.
  void interrupt(std::string reason);

 private:
  class Loop;
  std::unique_ptr<Loop> loop_;
};

}  // namespace tuneq
