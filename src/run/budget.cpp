#include "run/budget.hpp"

#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "tuneq/error.hpp"

namespace tuneq::detail {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
}  // namespace

BudgetRules::BudgetRules(const Budget& budget, Mode mode, double start)
    : mode_(mode),
      has_max_trials_(budget.max_trials.has_value()),
      max_trials_(budget.max_trials.value_or(0)),
      max_time_(budget.max_time.value_or(kInf)),
      deadline_(budget.max_time ? start + *budget.max_time : kInf),
      max_resource_(budget.max_total_resource.value_or(kInf)),
      has_target_(budget.metric_target.has_value()),
      target_(budget.metric_target.value_or(0)) {}

void BudgetRules::validate(const Budget& budget) {
  // Written as !(x > 0) so that NaN is rejected too.
  if (budget.max_time && !(*budget.max_time > 0)) {
    throw Error::InvalidArgument(
        fmt::format("budget.max_time must be > 0 seconds, got {}", *budget.max_time));
  }
  if (budget.max_total_resource && !(*budget.max_total_resource > 0)) {
    throw Error::InvalidArgument(
        fmt::format("budget.max_total_resource must be > 0, got {}", *budget.max_total_resource));
  }
  if (budget.metric_target && !std::isfinite(*budget.metric_target)) {
    throw Error::InvalidArgument(
        fmt::format("budget.metric_target must be finite, got {}", *budget.metric_target));
  }
}

std::string BudgetRules::time_reason() const {
  return fmt::format("time budget {} s reached", max_time_);
}

std::string BudgetRules::target_reason() const {
  return fmt::format("metric target {} reached", target_);
}

}  // namespace tuneq::detail
