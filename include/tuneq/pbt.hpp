// Population-based training lineage: the sequence of configs a trial effectively trained under
// (its own start, then at each exploit the cloned trial's schedule up to the cloned checkpoint
// followed by the explored config), and replaying such a schedule as one trial.
// The scheduler itself is tuneq::make_pbt (scheduler.hpp).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "tuneq/event.hpp"
#include "tuneq/inprocess.hpp"
#include "tuneq/result.hpp"
#include "tuneq/scheduler.hpp"
#include "tuneq/tuner.hpp"
#include "tuneq/value.hpp"

namespace tuneq {

// From resource value `resource` on, the trial trained under `config`.
struct ScheduleStep {
  double resource = 0;
  Config config;
  std::optional<TrialId> cloned_from;  // the step began by cloning this trial's checkpoint

  friend bool operator==(const ScheduleStep&, const ScheduleStep&) = default;
};
// Steps in increasing resource; the first starts at 0 with the trial's suggested config.
using ConfigSchedule = std::vector<ScheduleStep>;

// Builds every trial's schedule from an experiment's events, in order (trial_added starts one,
// exploit replaces the trial's with the source's schedule cut at the cloned resource plus the
// explored config). Other events are ignored.
class LineageBuilder {
 public:
  // Throws Error::Corruption for an exploit of or from a trial never added.
  void apply(const Event& event);
  const std::map<TrialId, ConfigSchedule>& schedules() const { return schedules_; }

 private:
  std::map<TrialId, ConfigSchedule> schedules_;
};

// The schedules of all trials of a log (LineageBuilder over every event).
std::map<TrialId, ConfigSchedule> config_schedules(const std::vector<Event>& events);

// A scheduler that makes one trial follow `schedule`: it pauses the trial at the first report
// whose resource reaches the next step's, and restarts it from its own latest checkpoint with
// that step's config (an Exploit of itself). For a faithful replay the trainable should save a
// checkpoint with every report. Throws Error::InvalidArgument for an empty schedule or steps not
// in increasing resource.
std::unique_ptr<Scheduler> make_schedule_follower(ConfigSchedule schedule);

// Runs `trainable` in process as a single trial that follows `schedule` (its first config, then
// each step's from its resource on). `options` gives the metric, mode and resource attribute;
// its budget and pool are replaced (one trial, one slot).
TuneResult replay_schedule(const ConfigSchedule& schedule, Trainable trainable,
                           TunerOptions options);

}  // namespace tuneq
