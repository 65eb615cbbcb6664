// In-process executor: trials are C++ callables run on a thread pool.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "tuneq/executor.hpp"

namespace tuneq {

class Clock;

// What a running trainable sees. Thread safety: each context is used by its own trial thread.
class TrialContext {
 public:
  virtual ~TrialContext() = default;
  virtual TrialId trial_id() const = 0;
  virtual const Config& config() const = 0;

  // The checkpoint to continue from (bytes saved by an earlier save_checkpoint of this trial),
  // or nullopt on a fresh start.
  virtual std::optional<std::string> restore() const = 0;

  // Saves bytes as the trial's checkpoint; the next report names it, and pause/promote resume
  // from it.
  virtual void save_checkpoint(std::string bytes) = 0;

  // Reports metrics and blocks until the tuner decides. kContinue: train on. kPause or kStop:
  // return from the trainable promptly (save a checkpoint first to be resumable).
  virtual Action report(const Metrics& metrics) = 0;
};

using Trainable = std::function<void(TrialContext&)>;

// Runs each launched trial on its own worker from a pool of `threads`. A trainable that throws
// is a failed trial (the exception's message is its error). A trainable that reports after being
// told to pause or stop has its report ignored.
// `clock` (borrowed, nullable; must outlive the executor): the tuner's clock, in which
// next_event's deadline and ExecutorEvent::time are read. nullptr: a system clock started when
// the executor is made (fine with a tuner whose make_system_clock() is made at the same time).
std::unique_ptr<Executor> make_inprocess_executor(Trainable trainable, std::size_t threads,
                                                  const Clock* clock = nullptr);

}  // namespace tuneq
