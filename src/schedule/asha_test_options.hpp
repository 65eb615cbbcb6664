// Tests only: AshaOptions in one call.
#pragma once

#include "tuneq/scheduler.hpp"

namespace tuneq::test_util {

inline AshaOptions asha_options(Mode mode, double max_t, double grace, double eta,
                                int brackets = 1) {
  AshaOptions o;
  o.mode = mode;
  o.max_t = max_t;
  o.grace_period = grace;
  o.reduction_factor = eta;
  o.brackets = brackets;
  return o;
}

}  // namespace tuneq::test_util
