// Executors run trials: threads in this process, local processes, a cluster, or a simulation.
// They only run; every decision comes from the tuner loop through reply().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tuneq/result.hpp"
#include "tuneq/value.hpp"

namespace tuneq {

// What one trial asks for while it runs.
struct Resources {
  int cpu = 1;
  int gpu = 0;
};

// What one trial was given: a share of the pool's cpus and specific GPU indices.
struct Allocation {
  int cpu = 0;
  std::vector<int> gpus;
};

struct LaunchRequest {
  TrialId trial = 0;
  Config config;
  Allocation allocation;
  // Checkpoint to continue from (a path or an executor-defined handle); nullopt: start fresh.
  // It may belong to another trial (a PBT exploit): executors restore from a copy, so the trial
  // never shares or writes into another trial's checkpoint.
  std::optional<std::string> restore;
  // Resource value already reached (0 for a fresh start); lets the default resource (report
  // count) continue counting after a pause.
  double resource_offset = 0;
};

// Something that happened to a running trial.
struct ExecutorEvent {
  enum class Kind : std::uint8_t {
    kResult,  // a report; the executor holds the trial until reply() for it
    kExited,  // the trial ended; its slot is free
  };
  Kind kind = Kind::kResult;
  TrialId trial = 0;
  double time = 0;  // clock time at which it happened (executors with a virtual clock set it)

  // kResult
  Metrics metrics;
  std::optional<std::string> checkpoint;  // saved with this report, restorable from now on

  // kExited
  bool ok = true;     // finished normally (returned / exit status 0), or after pause/stop
  int exit_code = 0;  // process exit status, or -signal
  std::string error;  // what went wrong, with the tail of the log when there is one
};

class Executor {
 public:
  virtual ~Executor() = default;

  // Starts the trial. REQUIRES: the trial is not running here.
  virtual void launch(const LaunchRequest& request) = 0;

  // The decision for the trial's latest kResult. kContinue lets it train on; kPause and kStop end
  // it (the trial may save a checkpoint first). Either way a kExited follows for pause and stop.
  virtual void reply(TrialId trial, Action action) = 0;

  // Ends a running trial regardless of where it is (experiment over, time limit). A kExited
  // follows.
  virtual void cancel(TrialId trial) = 0;

  // Waits for the next event until the clock reaches `deadline` (seconds); nullopt on timeout or
  // when nothing is running. Executors with a virtual clock advance it to the event's time.
  virtual std::optional<ExecutorEvent> next_event(double deadline) = 0;

  // The loop will never restore from this checkpoint of `owner` again (the experiment's
  // checkpoint_keep retention): the executor may free it. Default: keeps it.
  virtual void discard_checkpoint(TrialId owner, const std::string& checkpoint) {
    (void)owner, (void)checkpoint;
  }
};

}  // namespace tuneq
