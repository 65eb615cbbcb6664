#include "sim/tabular.hpp"

#include <cmath>

#include <gtest/gtest.h>

#include "tuneq/error.hpp"

namespace tuneq::sim {
namespace {

// Three configs, rows out of order: A = (0.001, sgd) epochs 1, 2; B = (0.1, sgd); C = (0.01, adam).
const char* kCsv =
    "# recorded by hand\n"
    "lr,solver,resource:epoch,metric:loss,metric:acc,elapsed\n"
    "0.001,sgd,2,0.5,0.8,1.5\n"
    "\n"
    "0.001, sgd ,1,0.9,0.6,1.0\n"
    "0.1,sgd,1,0.7,0.7,2.0\n"
    "0.1,sgd,2,0.3,0.9,2.5\n"
    "0.01,adam,1,0.6,0.75,0.5\n";

std::unique_ptr<Benchmark> bench(const std::string& metric = "loss", Mode mode = Mode::kMin,
                                 std::vector<std::string> log = {}) {
  return make_tabular(parse_tabular(kCsv, "dir/t.csv"), TabularOptions{metric, mode, log});
}

TEST(TabularParse, GroupsRowsByConfigAndOrdersThemByResource) {
  const TabularData d = parse_tabular(kCsv, "dir/t.csv");
  EXPECT_EQ(d.name, "t.csv");
  EXPECT_EQ(d.params, (std::vector<std::string>{"lr", "solver"}));
  EXPECT_EQ(d.numeric, (std::vector<bool>{true, false}));
  EXPECT_EQ(d.resource, "epoch");
  EXPECT_EQ(d.metrics, (std::vector<std::string>{"loss", "acc"}));
  ASSERT_EQ(d.configs.size(), 3u);
  EXPECT_EQ(d.configs[0].cells, (std::vector<std::string>{"0.001", "sgd"}));
  EXPECT_EQ(d.configs[0].resource, (std::vector<double>{1, 2}));
  EXPECT_EQ(d.configs[0].elapsed, (std::vector<double>{1.0, 1.5}));
  EXPECT_EQ(d.configs[0].metrics[0], (std::vector<double>{0.9, 0.5}));
  EXPECT_EQ(d.configs[0].metrics[1], (std::vector<double>{0.6, 0.8}));
  EXPECT_EQ(d.configs[2].resource.size(), 1u);
}

std::string parse_error(const std::string& text) {
  try {
    parse_tabular(text, "t.csv");
  } catch (const Error& e) {
    EXPECT_TRUE(e.IsInvalidArgument());
    return e.what();
  }
  return "";
}

TEST(TabularParse, ErrorsNameFileLineAndColumn) {
  const std::string header = "x,resource:epoch,metric:loss,elapsed\n";
  struct Case {
    std::string text, message;
  };
  const std::vector<Case> cases = {
      {"", "t.csv: no header line (the file is empty)"},
      {"# only a comment\n" + header, "t.csv: no rows after the header"},
      {"x,resource:epoch,metric:loss\n1,1,1\n",
       "t.csv:1: header: expected exactly one 'elapsed' column, found 0"},
      {"x,metric:loss,elapsed\n",
       "t.csv:1: header: expected exactly one 'resource:NAME' column, "
       "found 0"},
      {"x,resource:epoch,elapsed\n",
       "t.csv:1: header: expected at least one 'metric:NAME' column, found none"},
      {"resource:epoch,metric:loss,elapsed\n",
       "t.csv:1: header: expected at least one parameter column (a name without a prefix), "
       "found none"},
      {"config:x,resource:epoch,metric:loss,elapsed\n",
       "t.csv:1: header: column 'config:x': the only prefixes are 'resource:' and 'metric:'"},
      {"x,x,resource:epoch,metric:loss,elapsed\n", "t.csv:1: header: column 'x' appears twice"},
      {"x,resource:,metric:loss,elapsed\n",
       "t.csv:1: header: column 'resource:' needs a name after the prefix"},
      {header + "1,1,0.5,1\n1,2,0.5\n",
       "t.csv:3: expected 4 cells (as many as the header), found 3"},
      {header + "1,one,0.5,1\n", "t.csv:2: column 'resource:epoch': 'one' is not a finite number"},
      {header + "1,1,low,1\n", "t.csv:2: column 'metric:loss': 'low' is not a number"},
      {header + "1,1,0.5,-0.2\n", "t.csv:2: column 'elapsed': '-0.2' is not a number >= 0"},
      {header + ",1,0.5,1\n", "t.csv:2: column 'x': empty cell"},
      {header + "1,1,0.5,1\n2,1,0.5,1\n1,1,0.4,1\n",
       "t.csv:4: resource:epoch 1 repeats for the config on line 2"},
  };
  for (const auto& c : cases) EXPECT_EQ(parse_error(c.text), c.message) << c.text;
}

TEST(TabularParse, NanMetricsAreAllowed) {
  const TabularData d = parse_tabular("x,resource:r,metric:m,elapsed\na,1,nan,0\n", "t.csv");
  EXPECT_TRUE(std::isnan(d.configs[0].metrics[0][0]));
}

TEST(TabularParse, MissingFileIsNotFound) {
  try {
    load_tabular("/nonexistent/t.csv");
    FAIL();
  } catch (const Error& e) {
    EXPECT_TRUE(e.IsNotFound());
    EXPECT_STREQ(e.what(), "/nonexistent/t.csv: no such benchmark file");
  }
}

// The recorded real benchmark (bench/record_curves.py) is in this format: 300 configs of the
// digits MLP, 81 epochs each.
TEST(TabularParse, TheRecordedDigitsBenchmarkLoads) {
  const TabularData d = load_tabular(std::string(TUNEQ_SOURCE_DIR) + "/bench/data/digits_mlp.csv");
  EXPECT_EQ(d.params, (std::vector<std::string>{"lr", "alpha", "hidden", "batch", "solver"}));
  EXPECT_EQ(d.numeric, (std::vector<bool>{true, true, true, true, false}));
  EXPECT_EQ(d.resource, "epoch");
  EXPECT_EQ(d.metrics, (std::vector<std::string>{"val_loss", "val_accuracy"}));
  ASSERT_EQ(d.configs.size(), 300u);
  for (const auto& c : d.configs) {
    ASSERT_EQ(c.resource.size(), 81u);
    EXPECT_EQ(c.resource.front(), 1.0);
    EXPECT_EQ(c.resource.back(), 81.0);
  }
}

TEST(TabularBenchmark, ReportsTheRowsOfTheNearestConfig) {
  const auto b = bench();
  const Config a{{"lr", 0.001}, {"solver", "sgd"}};
  EXPECT_EQ(b->steps(a), 2u);
  EXPECT_EQ(b->resource(a, 1), 1.0);
  EXPECT_EQ(b->value(a, 1), 0.9);
  EXPECT_EQ(b->value(a, 2), 0.5);
  EXPECT_EQ(b->step_cost(a, 2), 1.5);
  EXPECT_EQ(b->final_value(a), 0.5);
  EXPECT_EQ(b->optimum(), 0.3);  // B's final loss
  EXPECT_FALSE(b->bounded());
  EXPECT_FALSE(b->mode().has_value());
  ASSERT_EQ(b->parameters().size(), 2u);
  EXPECT_EQ(b->parameters()[0].low, 0.001);
  EXPECT_EQ(b->parameters()[0].high, 0.1);
  EXPECT_EQ(b->parameters()[1].values, (std::vector<std::string>{"sgd", "adam"}));
}

TEST(TabularBenchmark, MaxModeAndTheOtherMetric) {
  const auto b = bench("acc", Mode::kMax);
  EXPECT_EQ(b->optimum(), 0.9);  // B's final accuracy
  EXPECT_EQ(b->value(Config{{"lr", 0.1}, {"solver", "sgd"}}, 1), 0.7);
}

TEST(TabularBenchmark, OneMetricColumnTakesAnyName) {
  const auto b = make_tabular(parse_tabular("x,resource:r,metric:m,elapsed\n1,1,0.5,0\n", "t.csv"),
                              TabularOptions{"val_loss", Mode::kMin, {}});
  EXPECT_EQ(b->value(Config{{"x", 1}}, 1), 0.5);
}

TEST(TabularBenchmark, AMetricThatNamesNoneOfSeveralIsAnError) {
  try {
    bench("loss2");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "metric 'loss2' is not a metric column of benchmark 't.csv' (metric:loss, "
                 "metric:acc); the spec's metric must name one of them");
  }
}

// Nearest config, by hand. lr is listed as 0.001 (A), 0.1 (B) with solver sgd.
//   linear: range 0.099; lr 0.03 -> |0.03 - 0.001| / 0.099 = 0.293 (A), 0.07 / 0.099 = 0.707 (B)
//   log:    range ln(100) = 4.605; ln(0.03 / 0.001) = 3.401 -> 0.739 (A), ln(0.1 / 0.03) = 1.204
//           -> 0.261 (B)
// Categorical parameters match exactly: solver adam has only C.
TEST(TabularBenchmark, NearestConfigTable) {
  struct Case {
    double lr;
    const char* solver;
    bool log;
    double expected_final_loss;  // A 0.5, B 0.3, C 0.6
  };
  const std::vector<Case> cases = {
      {0.03, "sgd", false, 0.5},   // A
      {0.03, "sgd", true, 0.3},    // B
      {0.001, "sgd", false, 0.5},  // A exactly
      {5.0, "sgd", false, 0.3},    // beyond the range: B
      {0.1, "adam", false, 0.6},   // C, the only adam
      {0.0001, "adam", true, 0.6},
  };
  for (const auto& c : cases) {
    const auto b = bench("loss", Mode::kMin,
                         c.log ? std::vector<std::string>{"lr"} : std::vector<std::string>{});
    EXPECT_EQ(b->final_value(Config{{"lr", c.lr}, {"solver", c.solver}}), c.expected_final_loss)
        << c.lr << " " << c.solver << " log " << c.log;
  }
}

TEST(TabularBenchmark, TiesGoToTheConfigListedFirst) {
  // lr 3 listed before lr 1; 2 is at normalised distance 0.5 from both.
  const auto b =
      make_tabular(parse_tabular("lr,resource:r,metric:m,elapsed\n3,1,0.3,0\n1,1,0.1,0\n", "t.csv"),
                   TabularOptions{"m", Mode::kMin, {}});
  EXPECT_EQ(b->final_value(Config{{"lr", 2}}), 0.3);
}

TEST(TabularBenchmark, AnUnlistedCategoryIsAnError) {
  const auto b = bench();
  try {
    b->value(Config{{"lr", 0.1}, {"solver", "rmsprop"}}, 1);
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "benchmark 't.csv' lists no config with lr=0.1, solver=rmsprop");
  }
}

TEST(TabularBenchmark, CheckSpaceMatchesNamesAndCategories) {
  const auto b = bench();
  Space ok;
  ok.add("lr", Domain::LogUniform(1e-5, 1)).add("solver", Domain::Choice({"sgd", "adam"}));
  EXPECT_NO_THROW(check_space(*b, ok, "exp.yaml"));  // numeric ranges are not bounded

  Space bad;
  bad.add("lr", Domain::LogUniform(1e-5, 1)).add("solver", Domain::Choice({"sgd", "rmsprop"}));
  try {
    check_space(*b, bad, "exp.yaml");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "exp.yaml: space.solver: value 'rmsprop' is not listed by benchmark 't.csv' "
                 "(solver in {sgd, adam})");
  }
  Space numeric;
  numeric.add("lr", Domain::LogUniform(1e-5, 1)).add("solver", Domain::Uniform(0, 1));
  try {
    check_space(*b, numeric, "exp.yaml");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "exp.yaml: space.solver: uniform(0, 1) draws numbers, but benchmark 't.csv' "
                 "lists solver in {sgd, adam}; use choice or grid with the listed values");
  }
}

}  // namespace
}  // namespace tuneq::sim
