// Per-trial records folded from an event log: what `tuneq status`, `best` and `export` show.
// fold() is a pure function of the events (no I/O), so a live log can be re-folded at will.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tuneq/event.hpp"
#include "tuneq/pbt.hpp"
#include "tuneq/result.hpp"
#include "tuneq/value.hpp"

namespace tuneq::store {

// One `result` event. A metric written as null (NaN/inf when reported) reads back as NaN.
struct ResultRow {
  std::uint64_t seq = 0;
  double time = 0;
  double resource = 0;
  Metrics metrics;
};

// One `decision` event.
struct DecisionRow {
  std::uint64_t seq = 0;
  std::string action;  // "continue", "pause", "stop"
  double resource = 0;
  std::string reason;
};

struct TrialRow {
  static constexpr double kNever = std::numeric_limits<double>::quiet_NaN();

  TrialId id = 0;
  Config config;
  // pending | running | paused | completed | stopped | failed. A failure that will be retried
  // leaves the trial pending until its relaunch (`started`) makes it running again.
  std::string status = "pending";
  std::vector<ResultRow> results;         // in seq order
  std::vector<DecisionRow> decisions;     // in seq order
  std::optional<std::string> checkpoint;  // latest `checkpoint` event
  double started_at = kNever;             // time of the first `started`; NaN if never started
  double ended_at = kNever;  // time of `finished` or of the final `failed`; NaN while not ended
  int failures = 0;          // `attempt` of the latest `failed` event
  std::string error;         // `error` of the latest `failed` event
  int exit_code = 0;         // `exit_code` of the latest `failed` event
  // The configs it effectively trained under (PBT): one step without exploits; `config` above is
  // the latest step's.
  ConfigSchedule schedule;
  int exploits = 0;  // `exploit` events of this trial

  // Largest resource any result reported; 0 without results.
  double resource_reached() const;
  // The metric's value in the latest result that has it; nullopt if none does.
  std::optional<double> last_value(const std::string& metric) const;
  // Index into results of the best value of metric under mode (NaN ranks last, earliest wins a
  // tie); nullopt if no result has the metric.
  std::optional<std::size_t> best_result(const std::string& metric, Mode mode) const;
};

// The best result of an experiment: which trial, and which of its results.
struct BestResult {
  const TrialRow* trial = nullptr;
  const ResultRow* result = nullptr;
  double value = std::numeric_limits<double>::quiet_NaN();
};

class TrialTable {
 public:
  // Trials by id (ascending): the order of every listing and export.
  const std::map<TrialId, TrialRow>& trials() const { return trials_; }
  std::size_t size() const { return trials_.size(); }
  // nullptr if no trial has this id.
  const TrialRow* find(TrialId id) const;

  // The trial and result with the best value of metric under mode, over every result of every
  // trial. NaN ranks last; ties go to the earlier event. nullopt if no result has the metric.
  // The pointers stay valid while this table lives and is not re-folded.
  std::optional<BestResult> best(const std::string& metric, Mode mode) const;
  // Number of trials in each status that occurs ("completed" -> 12, ...).
  std::map<std::string, std::size_t> counts_by_status() const;

 private:
  friend TrialTable fold(const std::vector<Event>& events);
  std::map<TrialId, TrialRow> trials_;
};

// Applies the payloads documented in include/tuneq/event.hpp, in order:
//   trial_added {"config"}                 -> a new pending trial
//   started {"cpu","gpus","restore"}        -> running (started_at = first start)
//   result {"resource","metrics"}           -> a ResultRow
//   decision {"action","resource","reason"} -> a DecisionRow
//   checkpoint {"checkpoint","resource"}    -> checkpoint
//   exploit {"source","checkpoint","resource","old_config","config"} -> config, schedule (the
//        source's schedule before resource + the new config), checkpoint = the cloned one
//   paused {}                               -> paused
//   resumed {"restore"}                     -> running
//   finished {"status"}                     -> "completed" | "stopped", ended_at
//   failed {"exit_code","error","attempt", "final"} -> failures/error/exit_code; "final": true
//        -> failed, ended_at; false -> pending (a retry follows). Without "final" (logs written
//        before it existed) the trial is taken as failed; a later `started` makes it running.
// Throws Error::Corruption naming the seq for unparsable JSON, a missing or mistyped key, an
// event for a trial never added, or a second trial_added for one id.
TrialTable fold(const std::vector<Event>& events);

}  // namespace tuneq::store
