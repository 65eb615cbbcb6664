// The layout of an experiment directory and the read-only view the query commands use.
//
//   DIR/events.db      the event log (SQLite, WAL): the truth
//   DIR/lock           held by the tuneq process that writes the log
//   DIR/spec.yaml      a copy of the spec the experiment was started with
//   DIR/tuneq.log      warnings (malformed report lines, retries) with trial ids
//   DIR/trials/<id>/   each trial's working directory: trial.log, its checkpoints
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "spec/experiment_spec.hpp"
#include "store/sqlite_store.hpp"
#include "store/trial_table.hpp"

namespace tuneq::cli {

struct ExperimentPaths {
  std::filesystem::path dir;
  std::filesystem::path events() const { return dir / "events.db"; }
  std::filesystem::path spec_copy() const { return dir / "spec.yaml"; }
  std::filesystem::path log() const { return dir / "tuneq.log"; }
  std::filesystem::path trials() const { return dir / "trials"; }
  std::filesystem::path trial(TrialId id) const { return trials() / std::to_string(id); }
};

// An experiment opened for reading: its spec (as stored in the log) and its trials folded from
// the events. Throws CommandError(kStoreError) naming DIR when it is not an experiment.
struct ExperimentView {
  ExperimentPaths paths;
  spec::ExperimentSpec spec;
  std::vector<Event> events;
  store::TrialTable table;
};
ExperimentView open_experiment(const std::filesystem::path& dir);

// The folded trials as the tuner's records (what the progress table renders), by id.
std::vector<TrialRecord> trial_records(const ExperimentView& view);

}  // namespace tuneq::cli
