// The live progress view of a running experiment: what the terminal shows. Pure functions from a
// snapshot to text, so the layout is unit-tested and the printer only decides when to draw.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "tuneq/result.hpp"
#include "tuneq/scheduler.hpp"
#include "tuneq/tuner.hpp"

namespace tuneq::ui {

// An immutable view of the experiment at one moment. REQUIRES: trials outlives the snapshot.
struct Snapshot {
  std::string experiment;  // spec name
  std::string scheduler;   // scheduler name, e.g. "asha (promotion)"
  std::string metric;
  Mode mode = Mode::kMin;
  std::string resource_attr;  // "" = number of reports
  double elapsed = 0;         // seconds
  const std::vector<TrialRecord>* trials = nullptr;
  std::vector<RungView> rungs;
  std::optional<TrialId> best;
  double best_value = 0;
  std::size_t slots = 0;  // trials that can run at once
};

// "01:02:03" for 3723 seconds; "1d 01:02:03" past a day.
std::string format_elapsed(double seconds);

// The multi-line status block: header, counts by state, best so far, rung occupancy, and a table
// with a row per running trial and the most recently active others, at most `max_rows` rows,
// each line cut to `width` characters.
std::string render_status(const Snapshot& s, std::size_t max_rows = 20, std::size_t width = 120);

// One plain line for logs and pipes: "[00:01:23] 12 trials: 2 running, ... | best val_loss ...".
std::string render_line(const Snapshot& s);

}  // namespace tuneq::ui
