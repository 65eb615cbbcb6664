#include "spec/duration.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tuneq/error.hpp"

namespace tuneq::spec {
namespace {

TEST(Duration, ParsesUnitsAndPlainSeconds) {
  const std::vector<std::pair<const char*, double>> cases = {
      {"30m", 1800}, {"2h", 7200},  {"90s", 90},         {"1h30m", 5400}, {"45", 45},
      {"0.5", 0.5},  {"1e3", 1000}, {"1d", 86400},       {"1.5h", 5400},  {"2m30.5s", 150.5},
      {"0s", 0},     {" 10s ", 10}, {"1d2h3m4s", 93784},  // 86400 + 7200 + 180 + 4
      {".5m", 30},
  };
  for (const auto& [text, seconds] : cases) EXPECT_EQ(parse_duration(text), seconds) << text;
}

TEST(Duration, RejectsAnythingElseWithTheExpectedForms) {
  const std::vector<const char*> bad = {"",  "soon", "-5",     "-5m", "5x",  "30m1h", "1h1h",
                                        "m", "1 h",  "1h 30m", "inf", "nan", "5ms",   "1e400"};
  for (const char* text : bad) {
    try {
      parse_duration(text);
      ADD_FAILURE() << "accepted '" << text << "'";
    } catch (const Error& e) {
      EXPECT_TRUE(e.IsInvalidArgument());
      EXPECT_EQ(std::string(e.what()),
                std::string("expected a duration like 90s, 30m, 2h or 1h30m, or a number of "
                            "seconds, got '") +
                    text + "'");
    }
  }
}

TEST(Duration, FormatsTheShortestSpellingThatReadsBack) {
  const std::vector<std::pair<double, const char*>> cases = {
      {0, "0s"},     {45, "45s"},     {90, "1m30s"},      {5400, "1h30m"},
      {86400, "1d"}, {90000, "1d1h"}, {150.5, "2m30.5s"}, {0.25, "0.25s"},
  };
  for (const auto& [seconds, text] : cases) {
    EXPECT_EQ(format_duration(seconds), text);
    EXPECT_EQ(parse_duration(format_duration(seconds)), seconds);
  }
}

}  // namespace
}  // namespace tuneq::spec
