// The loop's view of every trial: the public record plus what the loop needs while the trial
// runs (its allocation, the decision waiting for the trial to exit). Trial ids are dense
// (0, 1, 2, ... in the order the searcher's configs arrive), so the table is a vector indexed by
// id: the per-report lookup is an index, not a search.
// Thread safety: none; owned by the tuner loop.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "tuneq/executor.hpp"
#include "tuneq/result.hpp"
#include "tuneq/tuner.hpp"

namespace tuneq::detail {

struct LiveTrial {
  // What the loop does when the running trial's kExited arrives.
  enum class OnExit : std::uint8_t {
    kNone,              // not told anything: exit ok = completed, exit not ok = failure
    kPause,             // replied kPause: becomes paused
    kResumeAfterPause,  // replied kPause, and the scheduler already chose to resume it
    kStop,              // replied kStop or cancelled: completed if stop_completed, else stopped
    kInterrupt,         // cancelled by an interrupt: stays running in the log, for resume
  };

  TrialRecord record;
  Allocation allocation;  // held while running
  bool running = false;   // launched and its kExited not yet handled (holds its slot)
  OnExit on_exit = OnExit::kNone;
  bool stop_completed = false;  // with OnExit::kStop: the scheduler said the trial completed
  double started_at = 0;        // clock time of the current launch
  double last_resource = 0;     // resource of the latest report (also the resume offset)
  // The latest checkpoint's resource and the number of results recorded when it was saved.
  double checkpoint_resource = 0;
  std::size_t checkpoint_results = 0;
  // After a relaunch from a checkpoint (retry or resume) the trial reports again what it had
  // reported after that checkpoint. Such reports are answered "continue" and not recorded:
  // with a resource attribute, those at or below skip_through_resource; without one (the
  // resource is the report count), the next skip_reports reports.
  double skip_through_resource = -std::numeric_limits<double>::infinity();
  std::size_t skip_reports = 0;
  // The largest resource reported since the trial's state was last replaced by another trial's
  // (an exploit resets it to the cloned checkpoint's resource): a relaunch skips up to it.
  double lineage_resource = -std::numeric_limits<double>::infinity();
  // Without a resource attribute, resource = report count + report_shift (an exploit moves the
  // count to the cloned checkpoint's resource).
  double report_shift = 0;
  // Owner of the checkpoint record.checkpoint names: the trial itself, or after an exploit the
  // trial it cloned (until it saves one of its own).
  TrialId restore_owner = 0;
  // The latest decision with a reason. record.last_reason is formatted from it only when records
  // are handed out (snapshot): formatting a reason costs more than the rest of a simulated report.
  std::optional<Decision> last_decision;

  // The record as observers and results see it, last_reason formatted.
  TrialRecord snapshot() const {
    TrialRecord out = record;
    if (last_decision) out.last_reason = last_decision->reason();
    return out;
  }
};

class TrialTable {
 public:
  // The new trial gets id size() (before the call). References stay valid until the next add.
  LiveTrial& add(Config config) {
    LiveTrial& trial = trials_.emplace_back();
    trial.record.id = trials_.size() - 1;
    trial.restore_owner = trial.record.id;
    trial.record.config = std::move(config);
    return trial;
  }
  // nullptr when no trial has this id.
  LiveTrial* find(TrialId id) { return id < trials_.size() ? &trials_[id] : nullptr; }
  LiveTrial& operator[](TrialId id) { return trials_[id]; }
  std::size_t size() const { return trials_.size(); }

  auto begin() { return trials_.begin(); }
  auto end() { return trials_.end(); }
  auto begin() const { return trials_.begin(); }
  auto end() const { return trials_.end(); }

 private:
  std::vector<LiveTrial> trials_;
};

}  // namespace tuneq::detail
