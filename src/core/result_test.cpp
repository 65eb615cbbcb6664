#include "tuneq/result.hpp"

#include <cmath>
#include <limits>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace tuneq {
namespace {

// What fmt's runtime formatting writes: Decision::reason's definition.
std::string reference(const Decision& d) {
  return fmt::vformat(d.why, fmt::make_format_args(d.args[0], d.args[1], d.args[2], d.args[3]));
}

TEST(DecisionReason, EqualsFmtForEveryShapeOfFormat) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const char* formats[] = {"below rung {} cutoff {} (top 1/{} of {})",
                           "{}",
                           "{}{}{}{}",
                           "no fields",
                           "ends with {}",
                           "braces {{literal}} then {}",
                           "a spec {:.2f} and {}",
                           "\"quoted\" {} \\ {}"};
  const std::array<double, 4> args[] = {{3, 0.412, 3, 27},
                                        {0, -0.0, 1e20, 1e-5},
                                        {nan, inf, -inf, 5e-324},
                                        {1.0 / 3, 2.5, 1e15, 1e16},
                                        {123456789.125, -7, 0.1, 100},
                                        {999999999999999, -999999999999999, 1e15, -1e15},
                                        {4503599627370496, 9007199254740993.0, 1e300, -1e-300},
                                        {-0.0, 0.0, -1, 2147483648.0}};
  for (const char* format : formats) {
    for (const auto& a : args) {
      const Decision d = Decision::Stop(format, a);
      EXPECT_EQ(d.reason(), reference(d)) << format;
    }
  }
  EXPECT_EQ(Decision::Stop("below rung {} cutoff {}", {3, 0.412}).reason(),
            "below rung 3 cutoff 0.412");
  EXPECT_EQ(Decision::Continue().reason(), "");
}

RC_GTEST_PROP(DecisionReason, AnyDoublesFormatAsFmtDoes, (double a, double b, double c, double d)) {
  const Decision decision = Decision::Pause("x {} y {} z {}/{}", {a, b, c, d});
  RC_ASSERT(decision.reason() == reference(decision));
}

RC_GTEST_PROP(DecisionReason, WholeNumbersFormatAsFmtDoes, (std::int64_t n, int shift)) {
  // Whole numbers of every magnitude, around the 1e15 where the integer path ends.
  const double x = std::ldexp(static_cast<double>(n % 1000000007), (shift % 40 + 40) % 40);
  const Decision decision = Decision::Stop("rung {} of {}", {x, -x});
  RC_ASSERT(decision.reason() == reference(decision));
}

}  // namespace
}  // namespace tuneq
