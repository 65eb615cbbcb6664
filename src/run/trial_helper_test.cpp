// The C++ trial helper (include/tuneq/trial.hpp), in process: its JSON writing and reading, and
// its checkpoint directories. A real run through the executor is in process_executor_test.cpp.
#include "tuneq/trial.hpp"

#include <stdlib.h>
#include <unistd.h>

#include <cmath>
#include <limits>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "run/line_protocol.hpp"

namespace tuneq {
namespace {

namespace fs = std::filesystem;
using Metrics = std::vector<std::pair<std::string, double>>;

// Sets an environment variable for one scope (the tests run on one thread).
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(TrialHelper, FormatsReportLines) {
  const double inf = std::numeric_limits<double>::infinity();
  struct Case {
    Metrics metrics;
    std::optional<std::string> checkpoint;
    std::string line;
  };
  const Case cases[] = {
      {{}, std::nullopt, "@tuneq {}\n"},
      {{{"loss", 0.1}, {"epoch", 3}}, std::nullopt, "@tuneq {\"loss\":0.1,\"epoch\":3}\n"},
      {{{"a", 1e-300}, {"b", -2.5e20}}, std::nullopt, "@tuneq {\"a\":1e-300,\"b\":-2.5e+20}\n"},
      {{{"nan", std::nan("")}, {"inf", inf}, {"ninf", -inf}},
       std::nullopt,
       "@tuneq {\"nan\":null,\"inf\":null,\"ninf\":null}\n"},
      {{{"q\"b\\s\n", 1}}, std::nullopt, "@tuneq {\"q\\\"b\\\\s\\u000a\":1}\n"},
      {{{"loss", 2}}, "ckpt-3", "@tuneq {\"loss\":2,\"checkpoint\":\"ckpt-3\"}\n"},
      {{}, "/a \"b\"", "@tuneq {\"checkpoint\":\"/a \\\"b\\\"\"}\n"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(trial::detail::format_report(c.metrics, c.checkpoint), c.line);
  }
}

// What the C++ helper writes, the executor reads back bit for bit (NaN and infinities as NaN).
RC_GTEST_PROP(TrialHelper, ReportsRoundTripThroughTheExecutorParser, (double a, double b)) {
  const std::string line = trial::detail::format_report({{"a", a}, {"b", b}}, "ck");
  RC_ASSERT(detail::is_report_line(line));
  std::string error;
  const std::optional<detail::Report> report =
      detail::parse_report(std::string_view(line).substr(detail::kReportPrefix.size()), error);
  RC_ASSERT(report.has_value());
  for (const auto& [name, sent] : {std::pair{"a", a}, std::pair{"b", b}}) {
    const double got = report->metrics.at(name);
    if (std::isfinite(sent)) {
      RC_ASSERT(got == sent);
      RC_ASSERT(std::signbit(got) == std::signbit(sent));
    } else {
      RC_ASSERT(std::isnan(got));
    }
  }
  RC_ASSERT(report->checkpoint == std::optional<std::string>("ck"));
}

TEST(TrialHelper, ReadsTypedConfigValues) {
  const ScopedEnv config(
      "TUNEQ_CONFIG",
      R"({"lr": 0.001, "layers": 3, "opt": "ad\"am\u00e9", "norm": true, "nested": {"a": [1, "}"]},)"
      R"( "big": 1e20, "neg": -7})");
  EXPECT_EQ(trial::config_float("lr", 0), 0.001);
  EXPECT_EQ(trial::config_float("layers", 0), 3.0);  // an int reads as a float
  EXPECT_EQ(trial::config_float("big", 0), 1e20);
  EXPECT_EQ(trial::config_int("layers", 0), 3);
  EXPECT_EQ(trial::config_int("neg", 0), -7);
  EXPECT_EQ(trial::config_string("opt", ""), "ad\"am\xc3\xa9");
  EXPECT_TRUE(trial::config_bool("norm", false));
  EXPECT_EQ(trial::config_value("lr"), std::optional<std::string>("0.001"));
  EXPECT_EQ(trial::config_value("norm"), std::optional<std::string>("true"));
  // Absent: the fallback. Nested values are skipped on the way to later keys.
  EXPECT_EQ(trial::config_float("momentum", 0.9), 0.9);
  EXPECT_EQ(trial::config_string("missing", "x"), "x");
  EXPECT_EQ(trial::config_int("neg", 0), -7);
  // Present with another type: an error naming the value.
  EXPECT_THROW((void)trial::config_float("opt", 0), std::invalid_argument);
  EXPECT_THROW((void)trial::config_int("lr", 0), std::invalid_argument);
  EXPECT_THROW((void)trial::config_string("lr", ""), std::invalid_argument);
  EXPECT_THROW((void)trial::config_bool("layers", false), std::invalid_argument);
  try {
    (void)trial::config_int("opt", 0);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "tuneq: config value 'opt' is not an integer");
  }
}

TEST(TrialHelper, OutsideTuneqUsesDefaults) {
  const ScopedEnv config("TUNEQ_CONFIG", "");
  const ScopedEnv id("TUNEQ_TRIAL_ID", "");
  const ScopedEnv restore("TUNEQ_RESTORE", "");
  EXPECT_EQ(trial::config_json(), "{}");
  EXPECT_EQ(trial::config_float("lr", 0.5), 0.5);
  EXPECT_FALSE(trial::under_tuneq());
  EXPECT_FALSE(trial::trial_id());
  EXPECT_FALSE(trial::restore_dir());
}

TEST(TrialHelper, CheckpointDirectoriesNeverReuseANumber) {
  const fs::path dir = fs::temp_directory_path() / ("tuneq-helper-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "ckpt-7");
  fs::create_directories(dir / "ckpt-2");
  fs::create_directories(dir / "ckpt-x");
  const ScopedEnv trial_dir("TUNEQ_TRIAL_DIR", dir.string());
  const ScopedEnv id("TUNEQ_TRIAL_ID", "12");
  EXPECT_EQ(trial::trial_id(), std::optional<long long>(12));
  EXPECT_EQ(trial::trial_dir(), dir);
  EXPECT_EQ(trial::checkpoint_dir(), dir / "ckpt-8");
  EXPECT_EQ(trial::checkpoint_dir(), dir / "ckpt-9");
  EXPECT_EQ(trial::checkpoint_dir("best"), dir / "best");
  EXPECT_TRUE(fs::is_directory(dir / "ckpt-9"));
  EXPECT_TRUE(fs::is_directory(dir / "best"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace tuneq
