// The experiment's stop rules (tuneq::Budget) and the words the loop uses when one ends it.
// Pure: the caller passes the clock reading and the running totals.
#pragma once

#include <cstdint>
#include <string>

#include "tuneq/result.hpp"
#include "tuneq/tuner.hpp"

namespace tuneq::detail {

// End reasons, as written to TuneResult::end_reason.
inline constexpr const char* kEndSearcherExhausted = "searcher exhausted";
inline constexpr const char* kEndTrialBudgetSpent = "trial budget spent";
inline constexpr const char* kEndResourceBudget = "resource budget reached";
// Nothing runs, nothing may start and the scheduler resumes nothing (e.g. a searcher that
// answers kWait while no trial is running, or paused trials the scheduler never promotes).
inline constexpr const char* kEndNothingToRun = "no trial can run";

class BudgetRules {
 public:
  // REQUIRES: validate(budget) passed. `start` is the clock reading when the experiment began.
  BudgetRules(const Budget& budget, Mode mode, double start);

  // Throws Error::InvalidArgument naming the field: max_time <= 0 or not a number,
  // max_total_resource <= 0 or not a number, metric_target not finite.
  static void validate(const Budget& budget);

  // Clock time at which the time budget runs out; +inf without one.
  double deadline() const { return deadline_; }

  bool trial_budget_spent(std::uint64_t trials_started) const {
    return has_max_trials_ && trials_started >= max_trials_;
  }
  bool time_reached(double now) const { return now >= deadline_; }
  // NaN never reaches the target.
  bool metric_target_reached(double value) const {
    if (!has_target_) return false;
    return mode_ == Mode::kMin ? value <= target_ : value >= target_;
  }
  bool resource_reached(double total_resource) const { return total_resource >= max_resource_; }

  std::string time_reason() const;    // "time budget 60 s reached"
  std::string target_reason() const;  // "metric target 0.1 reached"

 private:
  Mode mode_;
  bool has_max_trials_;
  std::uint64_t max_trials_;
  double max_time_;
  double deadline_;
  double max_resource_;
  bool has_target_;
  double target_;
};

}  // namespace tuneq::detail
