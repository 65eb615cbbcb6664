// Events: what happened in an experiment, in order. The event log is the source of truth; the
// tuner appends each event before acting on it.
#pragma once

#include <cstdint>
#include <string>

#include "tuneq/result.hpp"

namespace tuneq {

struct Event {
  enum class Kind : std::uint8_t {
    kTrialAdded,  // data: {"config": {...}}
    kStarted,     // data: {"cpu": n, "gpus": [...], "restore": "ckpt" | null}
    kResult,      // data: {"resource": r, "metrics": {...}}
    kDecision,    // data: {"action": "stop", "resource": r, "reason": "...",
                  //        "loop": {"can_start_new": b, "waiting": n}}
    kCheckpoint,  // data: {"checkpoint": "ckpt-3", "resource": r}
    kPaused,      // data: {}
    kResumed,     // data: {"restore": "ckpt-3" | null, "loop": {"can_start_new": b, "waiting": n}}
    kFinished,    // data: {"status": "completed" | "stopped"}
    kFailed,      // data: {"exit_code": n, "error": "...", "attempt": k, "final": b}
    // The experiment will add no more trials (searcher exhausted or trial budget spent); the
    // scheduler was told so. Not about one trial: `trial` is 0. data: {"reason": "..."}
    kNoMoreTrials,
    // A paused trial restarts from a copy of another trial's checkpoint with a new config (PBT's
    // exploit), logged right after its kResumed and before it is relaunched. data:
    // {"source": id, "checkpoint": "path of source's checkpoint", "resource": r,
    //  "old_config": {...}, "config": {...}}
    kExploit,
  };
  std::uint64_t seq = 0;  // 0, 1, 2, ... in the order appended
  double time = 0;        // clock seconds
  Kind kind = Kind::kTrialAdded;
  TrialId trial = 0;
  std::string data;  // JSON object text

  friend bool operator==(const Event&, const Event&) = default;
};

const char* to_string(Event::Kind kind);

// Receives every event, in order, before the loop acts on it. REQUIRES: append does not call
// back into the tuner. Thread safety: called from the loop thread only.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void append(const Event& event) = 0;
  // Makes everything appended so far durable. The loop calls it before launching or cancelling a
  // trial and before a pause/stop reply, and at least every 0.25 s while continue replies go out
  // (group commit), so a sink may batch appends in between.
  virtual void flush() {}
};

}  // namespace tuneq
