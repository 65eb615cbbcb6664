// What a trial reports and what a scheduler answers.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <string>

namespace tuneq {

using TrialId = std::uint64_t;

// Whether the experiment's metric is minimised or maximised.
enum class Mode : std::uint8_t { kMin, kMax };

// The part of a report that decision logic sees: progress and the objective. The loop extracts
// it once from the full report (all metrics), so schedulers never look up names per report.
struct Result {
  double resource = 0;  // value of the resource attribute (epochs, steps, seconds, report count)
  double value =
      std::numeric_limits<double>::quiet_NaN();  // the metric; NaN if missing/not a number
};

// All numeric metrics of one report, by name.
using Metrics = std::map<std::string, double>;

// True if a is strictly better than b under mode. NaN is worse than everything (ranks last);
// two NaNs are equal. +inf/-inf compare as numbers.
bool better(Mode mode, double a, double b);

// Maps a metric to a score where larger is better and NaN becomes -inf, so decision logic has
// one direction and one total order.
double score(Mode mode, double value);

// How a trial ended, as told to searchers and schedulers.
enum class TrialEnd : std::uint8_t {
  kCompleted,  // ran to its end (trainable returned / exit 0 / reached max_t)
  kStopped,    // ended early by the scheduler or by the experiment's end
  kFailed,     // crashed or timed out after its retries
};

enum class Action : std::uint8_t { kContinue, kPause, kStop };
const char* to_string(Action a);

// A scheduler's answer to one result. The reason is kept as a static format string plus numbers
// and formatted only when read (event log, progress table), so the per-report path never builds
// strings. Example: {kStop, false, "below rung {} cutoff {} (top 1/{} of {})", {3, 0.412, 3, 27}}.
struct Decision {
  Action action = Action::kContinue;
  bool completed = false;  // with kStop: the trial used its whole budget (e.g. reached max_t)
  const char* why = "";    // fmt format string with up to 4 "{}"; REQUIRES static storage
  std::array<double, 4> args{};

  std::string reason() const;  // why formatted with args; "" for a plain continue

  static Decision Continue(const char* why = "", std::array<double, 4> args = {}) {
    return {Action::kContinue, false, why, args};
  }
  static Decision Pause(const char* why, std::array<double, 4> args = {}) {
    return {Action::kPause, false, why, args};
  }
  static Decision Stop(const char* why, std::array<double, 4> args = {}) {
    return {Action::kStop, false, why, args};
  }
  static Decision Complete(const char* why, std::array<double, 4> args = {}) {
    return {Action::kStop, true, why, args};
  }
};

}  // namespace tuneq
