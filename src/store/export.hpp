// Exports of a folded experiment for other tools: JSON (everything) and CSV (one row per
// trial, for a spreadsheet or pandas). Both are deterministic: trials by id, keys sorted.
#pragma once

#include <string>

#include "store/trial_table.hpp"
#include "tuneq/result.hpp"

namespace tuneq::store {

// A JSON array, one object per trial, pretty-printed with a final newline:
//   {"id", "config": {...}, "status",
//    "results": [{"resource": r, <metric>: v, ..., "time": t}, ...],
//    "decisions": [{"action", "resource", "reason"}, ...],
//    "checkpoint": "ckpt-3" | null, "failures": n, "error": "..."}
// Non-finite numbers (a NaN metric) are null. A metric named "resource" or "time" is written as
// "metric/resource" / "metric/time" so that it cannot hide the result's own key.
std::string export_json(const TrialTable& table);

// CSV with a header row and one row per trial:
//   id, status, config/<name> for the union of config names (sorted; empty where a trial lacks
//   one), resource (largest reached), last_<metric>, best_<metric> (under mode), num_results.
// Empty cells where there is no value; NaN is "nan". Fields holding a comma, quote or line
// break are quoted, quotes doubled (RFC 4180); lines end with "\n".
std::string export_csv(const TrialTable& table, const std::string& metric, Mode mode);

}  // namespace tuneq::store
