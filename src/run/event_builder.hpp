// Turns what happens in the tuner loop into tuneq::Event records with the payloads documented in
// include/tuneq/event.hpp (event_payload.hpp), numbers them (seq 0, 1, 2, ...), stamps them with
// the clock and appends them to the sink. Without a sink every call is a single branch: the
// per-report path builds no JSON and allocates nothing. A sink that is also a PayloadSink gets
// the typed payload and no JSON either.
// Thread safety: none; used by the loop thread only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "run/event_payload.hpp"
#include "tuneq/clock.hpp"
#include "tuneq/event.hpp"
#include "tuneq/executor.hpp"
#include "tuneq/result.hpp"
#include "tuneq/scheduler.hpp"
#include "tuneq/tuner.hpp"

namespace tuneq::detail {

class EventBuilder {
 public:
  // Borrows both; sink may be null (no events are built).
  EventBuilder(EventSink* sink, const Clock& clock)
      : sink_(sink), payload_sink_(dynamic_cast<PayloadSink*>(sink)), clock_(clock) {}

  bool enabled() const { return sink_ != nullptr; }
  // Resuming a log: the next event gets this seq.
  void continue_at(std::uint64_t next_seq) { next_seq_ = next_seq; }
  std::uint64_t appended() const { return next_seq_; }

  // Makes what was appended durable (EventSink::flush) before the loop does something the world
  // can see: launch, reply, cancel. Skipped when nothing was appended since the last flush.
  void flush() {
    if (unflushed_) {
      unflushed_ = false;
      sink_->flush();
    }
  }
  // Group commit: flushes only when the oldest unflushed event is at least `interval` clock
  // seconds old. For actions a crash cannot make wrong (a "continue" reply: the trial would be
  // restarted from its latest durable checkpoint and report again), see tuner_loop.cpp.
  void flush_if_older(double interval) {
    if (unflushed_ && clock_.now() - first_unflushed_time_ >= interval) flush();
  }

  // {"config": {...}}
  void trial_added(TrialId id, const Config& config) {
    if (sink_) emit(id, payload::TrialAdded{&config});
  }
  // {"cpu": n, "gpus": [...], "restore": "ckpt" | null}
  void started(TrialId id, const Allocation& allocation,
               const std::optional<std::string>& restore) {
    if (sink_) emit(id, payload::Started{allocation.cpu, allocation.gpus, view(restore)});
  }
  // {"resource": r, "metrics": {...}}
  void result(TrialId id, double resource, const Metrics& metrics) {
    if (sink_) emit(id, payload::Result{resource, &metrics});
  }
  // {"action": "stop", "resource": r, "reason": "...",
  //  "loop": {"can_start_new": b, "waiting": n}}; loop: what scheduler.on_result was told.
  void decision(TrialId id, double resource, const Decision& decision, const LoopState& loop) {
    if (sink_) emit(id, payload::Decision{resource, decision, loop});
  }
  // {"checkpoint": "ckpt-3", "resource": r}
  void checkpoint(TrialId id, const std::string& checkpoint, double resource) {
    if (sink_) emit(id, payload::Checkpoint{checkpoint, resource});
  }
  // {}
  void paused(TrialId id) {
    if (sink_) emit(id, payload::Paused{});
  }
  // {"restore": "ckpt-3" | null, "loop": {"can_start_new": b, "waiting": n}}; loop: what the
  // scheduler.on_free_slot that chose the resume was told.
  void resumed(TrialId id, const std::optional<std::string>& restore, const LoopState& loop) {
    if (sink_) emit(id, payload::Resumed{view(restore), loop});
  }
  // {"status": "completed" | "stopped"}
  void finished(TrialId id, TrialStatus status) {
    if (sink_) emit(id, payload::Finished{status});
  }
  // {"exit_code": n, "error": "...", "attempt": k, "final": b}; attempt counts the trial's
  // failures so far (1 for the first); final: the trial will not be retried.
  void failed(TrialId id, int exit_code, const std::string& error, int attempt, bool final) {
    if (sink_) emit(id, payload::Failed{exit_code, error, attempt, final});
  }
  // {"reason": "searcher exhausted" | "trial budget spent"}; trial 0.
  void no_more_trials(const char* reason) {
    if (sink_) emit(0, payload::NoMoreTrials{reason});
  }
  // {"source": id, "checkpoint": "...", "resource": r, "old_config": {...}, "config": {...}}
  void exploit(TrialId id, const Exploit& exploit, const std::string& checkpoint,
               const Config& old_config) {
    if (sink_) {
      emit(id, payload::Exploit{exploit.source, checkpoint, exploit.resource, &old_config,
                                &exploit.config});
    }
  }

 private:
  static std::optional<std::string_view> view(const std::optional<std::string>& s) {
    return s ? std::optional<std::string_view>(*s) : std::nullopt;
  }
  // Numbers and stamps the event, and hands it to the sink: as it is to a PayloadSink, as JSON
  // (payload_json) to any other.
  void emit(TrialId id, const EventPayload& payload);

  EventSink* sink_;
  PayloadSink* payload_sink_;  // sink_ when it takes payloads, else null
  const Clock& clock_;
  std::uint64_t next_seq_ = 0;
  bool unflushed_ = false;
  double first_unflushed_time_ = 0;  // time of the oldest event not flushed yet
};

}  // namespace tuneq::detail
