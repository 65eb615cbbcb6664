#include "spec/spec_errors.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "spec/experiment_spec.hpp"
#include "tuneq/error.hpp"

namespace tuneq::spec {
namespace {

TEST(SpecErrors, EditDistanceCountsInsertionsDeletionsAndSubstitutions) {
  struct Case {
    const char* a;
    const char* b;
    std::size_t distance;
  };
  const std::vector<Case> cases = {
      {"", "", 0},
      {"abc", "", 3},
      {"", "abc", 3},
      {"metric", "metric", 0},
      {"metrc", "metric", 1},    // one insertion
      {"ashaa", "asha", 1},      // one deletion
      {"gpu", "cpu", 1},         // one substitution
      {"kitten", "sitting", 3},  // k->s, e->i, +g
      {"grace_perod", "grace_period", 1},
      {"flaw", "lawn", 2},  // -f, +n
  };
  for (const auto& c : cases) {
    EXPECT_EQ(edit_distance(c.a, c.b), c.distance) << c.a << " / " << c.b;
    EXPECT_EQ(edit_distance(c.b, c.a), c.distance) << "symmetric: " << c.a << " / " << c.b;
  }
}

TEST(SpecErrors, DidYouMeanPicksTheClosestCandidateOrAPrefix) {
  const std::vector<std::string> keys = {"name", "command",        "metric",
                                         "mode", "max_concurrent", "max_failures"};
  struct Case {
    const char* given;
    std::optional<std::string> expected;
  };
  const std::vector<Case> cases = {
      {"metrc", "metric"},  // distance 1
      {"mdoe", "mode"},     // distance 2 (two substitutions)
      {"nme", "name"},      // distance 1
      {"max_concurent", "max_concurrent"},
      {"max_fail", "max_failures"},  // prefix, distance 4
      {"commandline", "command"},    // the candidate is a prefix of the given name
      {"xyz", std::nullopt},         // nothing close
      {"m", std::nullopt},           // too short for a prefix match
      {"budget", std::nullopt},
      {"MODE", "mode"},  // case is ignored
      {"Max_Fail", "max_failures"},
  };
  for (const auto& c : cases) EXPECT_EQ(did_you_mean(c.given, keys), c.expected) << c.given;
  // Ties go to the earlier candidate: "cpx" is 1 from both.
  EXPECT_EQ(did_you_mean("cpx", {"cpu", "cpy"}), "cpu");
  // A one-letter name is not a typo of another one-letter name.
  EXPECT_EQ(did_you_mean("x", {"q"}), std::nullopt);
}

TEST(SpecErrors, MessagesHaveTheDocumentedShape) {
  EXPECT_EQ(unknown_name_message("scheduler", "ashaa", {"fifo", "median", "asha", "hyperband"}),
            "unknown scheduler 'ashaa'; expected one of fifo, median, asha, hyperband (did you "
            "mean 'asha'?)");
  EXPECT_EQ(unknown_name_message("searcher", "bayes", {"random", "grid"}),
            "unknown searcher 'bayes'; expected one of random, grid");
  EXPECT_EQ(unknown_key_message("metrc", {"metric", "mode"}),
            "unknown key (did you mean 'metric'?)");
  EXPECT_EQ(unknown_key_message("colour", {"metric", "mode"}),
            "unknown key; expected one of metric, mode");
  EXPECT_EQ(format_spec_error("experiment.yaml", 9, "scheduler.type", "bad"),
            "experiment.yaml:9: scheduler.type: bad");
  EXPECT_EQ(format_spec_error("experiment.yaml", 0, "metric", "required key missing"),
            "experiment.yaml: metric: required key missing");
  EXPECT_EQ(format_spec_error("e.yaml", 3, "", "the spec is empty"), "e.yaml:3: the spec is empty");
}

TEST(SpecErrors, PlainScalarsFollowYamlCoreTypes) {
  EXPECT_EQ(plain_scalar_value("32"), Value(32));
  EXPECT_EQ(plain_scalar_value("-7"), Value(-7));
  EXPECT_EQ(plain_scalar_value("+7"), Value(7));
  EXPECT_EQ(plain_scalar_value("0.5"), Value(0.5));
  EXPECT_EQ(plain_scalar_value("1e-3"), Value(1e-3));  // an exponent makes a float
  EXPECT_EQ(plain_scalar_value("1E3"), Value(1000.0));
  EXPECT_EQ(plain_scalar_value(".5"), Value(0.5));
  EXPECT_EQ(plain_scalar_value("5."), Value(5.0));
  EXPECT_EQ(plain_scalar_value("true"), Value(true));
  EXPECT_EQ(plain_scalar_value("FALSE"), Value(false));
  EXPECT_EQ(plain_scalar_value("adam"), Value("adam"));
  EXPECT_EQ(plain_scalar_value("yes"), Value("yes"));  // YAML 1.1 booleans are strings here
  EXPECT_EQ(plain_scalar_value("1e"), Value("1e"));
  EXPECT_EQ(plain_scalar_value("0x10"), Value("0x10"));  // decimal only
  EXPECT_EQ(plain_scalar_value("inf"), Value(std::numeric_limits<double>::infinity()));
  EXPECT_EQ(plain_scalar_value("-.inf"), Value(-std::numeric_limits<double>::infinity()));
  EXPECT_TRUE(std::isnan(plain_scalar_value(".nan")->as_float()));
  EXPECT_EQ(plain_scalar_value("~"), std::nullopt);
  EXPECT_EQ(plain_scalar_value("null"), std::nullopt);
  EXPECT_EQ(plain_scalar_value(""), std::nullopt);
  EXPECT_EQ(plain_scalar_value("9223372036854775807"), Value(INT64_MAX));
  EXPECT_THROW(plain_scalar_value("9223372036854775808"), Error);
}

// The smallest valid spec: most cases below append one line to it (as line 7).
const std::string kBase =
    "name: m\n"
    "command: run {lr}\n"
    "metric: loss\n"
    "mode: min\n"
    "space:\n"
    "  lr: uniform(0, 1)\n";
// The same with the space's one parameter left for a case to write (as line 6).
const std::string kHead =
    "name: m\n"
    "command: run\n"
    "metric: loss\n"
    "mode: min\n"
    "space:\n";

std::string error_of(const std::string& text) {
  try {
    parse_spec(text, "experiment.yaml");
  } catch (const Error& e) {
    EXPECT_TRUE(e.IsInvalidArgument()) << e.what();
    return e.what();
  } catch (const std::exception& e) {
    return std::string("not a tuneq::Error: ") + e.what();
  }
  return "(no error)";
}

struct ErrorCase {
  std::string text;
  std::string expected;
};

TEST(SpecErrors, EveryMistakeNamesFileLineAndKey) {
  const std::string e = "experiment.yaml:";
  const std::vector<ErrorCase> cases = {
      // Unknown keys, at every level, with did-you-mean.
      {kBase + "metrc: loss2\n", e + "7: metrc: unknown key (did you mean 'metric'?)"},
      {kBase + "colour: red\n",
       e + "7: colour: unknown key; expected one of name, command, metric, mode, resource, space, "
           "searcher, scheduler, resources, pool, max_concurrent, budget, max_failures, trial, "
           "env, checkpoint_keep"},
      {kBase + "resources: {cpus: 2}\n",
       e + "7: resources.cpus: unknown key (did you mean 'cpu'?)"},
      {kBase + "scheduler: {type: asha, grace_perod: 1}\n",
       e + "7: scheduler.grace_perod: unknown key (did you mean 'grace_period'?)"},
      {kBase + "scheduler:\n  type: asha\n  max_t: 27\n  grace_perod: 1\n",
       e + "10: scheduler.grace_perod: unknown key (did you mean 'grace_period'?)"},
      {kBase + "scheduler: {type: fifo, max_t: 10}\n",
       e + "7: scheduler.max_t: not an option of the fifo scheduler; expected one of type"},
      {kHead + "  lr: {type: uniform, low: 0, hi: 1}\n",
       e + "6: space.lr.hi: unknown key (did you mean 'high'?)"},
      {kBase + "metric: other\n", e + "7: metric: duplicate key (first given at line 3)"},
      {kBase + "seed: 7\n",
       e + "7: seed: not a top-level key; expected it inside searcher, like searcher: {seed: ...}"},
      {kBase + "max_t: 27\n",
       e + "7: max_t: not a top-level key; expected it inside scheduler, like scheduler: {max_t: "
           "...}"},
      // Unknown names.
      {kBase + "scheduler: {type: ashaa}\n",
       e + "7: scheduler.type: unknown scheduler 'ashaa'; expected one of fifo, median, asha, "
           "hyperband, pbt, pb2 (did you mean 'asha'?)"},
      // PBT (population needs budget.trials; lines: scheduler 7, its keys 8..).
      {kBase + "scheduler:\n  type: pbt\n  hyperparam_mutations: {lrr: [0.1, 0.2]}\nbudget: "
               "{trials: 4}\n",
       e + "9: scheduler.hyperparam_mutations.lrr: not a parameter of the space; expected one of "
           "lr (did you mean 'lr'?)"},
      {kBase + "scheduler:\n  type: pbt\n  quantile_fraction: 0.7\n  hyperparam_mutations: {lr: "
               "[0.1, 0.2]}\nbudget: {trials: 4}\n",
       e + "9: scheduler.quantile_fraction: PBT option quantile_fraction must be in (0, 0.5], got "
           "0.7"},
      {kBase + "scheduler:\n  type: pbt\n  hyperparam_mutations: {lr: []}\nbudget: {trials: 4}\n",
       e + "9: scheduler.hyperparam_mutations.lr: is an empty list; expected at least one value"},
      {kBase + "scheduler:\n  type: pbt\n  hyperparam_mutations:\n    lr: uniform(1, 0)\nbudget: "
               "{trials: 4}\n",
       e + "10: scheduler.hyperparam_mutations.lr: uniform(1, 0) is an empty range: low must be < "
           "high"},
      {kBase + "scheduler: {type: pbt, hyperparam_mutations: {lr: [0.1, 0.2]}}\n",
       e + "7: scheduler: the pbt scheduler needs a fixed population; expected budget.trials or "
           "searcher.num_samples to be set"},
      {kBase + "scheduler: {type: pbt}\nbudget: {trials: 4}\n",
       e + "7: scheduler: PBT option hyperparam_mutations must name at least one parameter"},
      {kBase + "scheduler: {type: pbt, max_t: 9, hyperparam_mutations: {lr: [0.1]}}\n",
       e + "7: scheduler.max_t: not an option of the pbt scheduler; expected one of type, "
           "perturbation_interval, burn_in_period, quantile_fraction, synch, "
           "resample_probability, perturbation_factors, hyperparam_mutations"},
      // PB2 (lines: scheduler 7, its keys 8.., a nested bound 10).
      {kBase + "scheduler:\n  type: pb2\n  hyperparam_bounds: {lrr: [0.1, 0.2]}\nbudget: "
               "{trials: 4}\n",
       e + "9: scheduler.hyperparam_bounds.lrr: not a parameter of the space; expected one of lr "
           "(did you mean 'lr'?)"},
      {kBase + "scheduler:\n  type: pb2\n  hyperparam_bounds:\n    lr: [0.1, 0.0001]\nbudget: "
               "{trials: 4}\n",
       e + "10: scheduler.hyperparam_bounds.lr: expected [low, high] with low < high; got [0.1, "
           "0.0001]"},
      {kBase + "scheduler:\n  type: pb2\n  hyperparam_bounds:\n    lr: [0.5, 0.5]\nbudget: "
               "{trials: 4}\n",
       e + "10: scheduler.hyperparam_bounds.lr: expected [low, high] with low < high; got [0.5, "
           "0.5]"},
      {kBase + "scheduler:\n  type: pb2\n  hyperparam_bounds:\n    lr: [0.1]\nbudget: "
               "{trials: 4}\n",
       e + "10: scheduler.hyperparam_bounds.lr: expected [low, high], two numbers; got a list of "
           "1"},
      {kBase + "scheduler:\n  type: pb2\n  hyperparam_bounds: {}\nbudget: {trials: 4}\n",
       e + "9: scheduler.hyperparam_bounds: is empty; expected at least one parameter with its "
           "[low, high]"},
      {kBase + "scheduler:\n  type: pb2\n  quantile_fraction: 0.7\n  hyperparam_bounds: {lr: "
               "[0, 1]}\nbudget: {trials: 4}\n",
       e + "9: scheduler.quantile_fraction: PB2 option quantile_fraction must be in (0, 0.5], got "
           "0.7"},
      {kBase + "scheduler: {type: pb2, hyperparam_bounds: {lr: [0, 1]}}\n",
       e + "7: scheduler: the pb2 scheduler needs a fixed population; expected budget.trials or "
           "searcher.num_samples to be set"},
      {kHead + "  opt: choice([adam, sgd])\nscheduler:\n  type: pb2\n  hyperparam_bounds: "
               "{opt: [0, 1]}\nbudget: {trials: 4}\n",
       e + "9: scheduler.hyperparam_bounds.opt: is not a numeric parameter; PB2 chooses numbers "
           "within bounds (a choice or grid of strings or booleans cannot be bounded)"},
      {kBase + "scheduler: {type: pb2}\nbudget: {trials: 4}\n",
       e + "7: scheduler: PB2 option hyperparam_bounds must name at least one parameter"},
      {kBase + "scheduler: {type: pb2, resample_probability: 0.5, hyperparam_bounds: {lr: [0, "
               "1]}}\n",
       e + "7: scheduler.resample_probability: not an option of the pb2 scheduler; expected one "
           "of type, perturbation_interval, burn_in_period, quantile_fraction, synch, "
           "hyperparam_bounds"},
      {kBase + "scheduler: {type: asha, variant: promotoin}\n",
       e + "7: scheduler.variant: unknown variant 'promotoin'; expected one of stopping, promotion "
           "(did you mean 'promotion'?)"},
      {kBase + "searcher: {type: bayes}\n",
       e + "7: searcher.type: unknown searcher 'bayes'; expected one of random, grid"},
      {kHead + "  lr: logunifrom(1e-4, 1e-1)\n",
       e + "6: space.lr: unknown domain 'logunifrom'; expected one of uniform, quniform, "
           "loguniform, qloguniform, randn, randint, lograndint, qrandint, choice, grid (did you "
           "mean 'loguniform'?)"},
      // Options that live at the top level.
      {kBase + "scheduler: {type: asha, metric: loss}\n",
       e + "7: scheduler.metric: not a scheduler option: the metric is set once for the "
           "experiment; expected the top-level 'metric' key"},
      {kBase + "scheduler: {type: asha, mode: max}\n",
       e + "7: scheduler.mode: not a scheduler option: the mode is set once for the experiment; "
           "expected the top-level 'mode' key"},
      {kBase + "scheduler: {type: median, time_attr: epoch}\n",
       e + "7: scheduler.time_attr: not a scheduler option: the resource is set once for the "
           "experiment; expected the top-level 'resource' key"},
      // Domains.
      {kHead + "  dropout: uniform(0.5, 0.5)\n",
       e + "6: space.dropout: uniform(0.5, 0.5) is an empty range: low must be < high"},
      {kHead + "  lr: loguniform(0, 1)\n",
       e + "6: space.lr: loguniform(0, 1): a log domain needs low > 0"},
      {kHead + "  hidden: [32, 64]\n",
       e + "6: space.hidden: a list is not a domain; expected choice([32, 64]) to sample one value "
           "per trial or grid([32, 64]) to try every value"},
      {kHead + "  lr: {type: uniform, low: 0}\n",
       e + "6: space.lr.high: required key missing; expected uniform(low, high)"},
      {kHead + "  lr: randint(1.5, 10)\n",
       e + "6: space.lr: randint: low must be an integer, got '1.5'"},
      {kHead + "  lr: uniform(0, 1, 2)\n",
       e + "6: space.lr: uniform takes 2 arguments (low, high), got 3"},
      {kHead + "  lr: choice([])\n", e + "6: space.lr: choice([]) needs at least one value"},
      {kHead + "  lr: .inf\n",
       e + "6: space.lr: inf is not a usable value; expected finite numbers, strings or bools"},
      {kHead + "  lr:\n",
       e + "6: space.lr: no domain given; expected a domain like uniform(0, 1) or choice([a, b]), "
           "or a constant value"},
      {kHead + "  {}\n", e + "6: space: is empty; expected at least one parameter"},
      // The command's placeholders.
      {"name: m\ncommand: run {lrr}\nmetric: loss\nmode: min\nspace: {lr: \"uniform(0, 1)\"}\n",
       e + "2: command: {lrr} is not a parameter of the space; expected one of lr"},
      // Required keys and top-level shape.
      {"name: m\ncommand: run\nmode: min\nspace: {lr: \"uniform(0, 1)\"}\n",
       e + "1: metric: required key missing; expected the report key to optimise"},
      {"", e + "1: the spec is empty; expected a map with at least name, command, metric, mode "
               "and space"},
      {"- a\n",
       e + "1: expected a map of keys like name, command, metric, mode, space, got a list"},
      // Wrong types and values.
      {kBase + "max_concurrent: two\n",
       e + "7: max_concurrent: expected a non-negative integer, got 'two'"},
      {"name: m\ncommand: run\nmetric: loss\nmode: minimize\nspace: {lr: \"uniform(0, 1)\"}\n",
       e + "4: mode: expected min or max, got 'minimize' (did you mean 'min'?)"},
      {"name: digits mlp\ncommand: run\nmetric: loss\nmode: min\nspace: {lr: \"uniform(0, 1)\"}\n",
       e + "1: name: 'digits mlp' has characters other than letters, digits, '.', '_' and '-'; "
           "expected a name like digits-mlp"},
      {"name: m\ncommand: run\nmetric:\nmode: min\nspace: {lr: \"uniform(0, 1)\"}\n",
       e + "3: metric: expected a string, got nothing"},
      {kBase + "scheduler: [asha]\n",
       e + "7: scheduler: expected a map like {type: asha, max_t: 27}, got a list"},
      {kBase + "scheduler: {type: asha, stop_last_trials: yes}\n",
       e + "7: scheduler.stop_last_trials: expected true or false, got 'yes'"},
      {kBase + "budget: {time: soon}\n",
       e + "7: budget.time: expected a duration like 90s, 30m, 2h or 1h30m, or a number of "
           "seconds, got 'soon'"},
      {kBase + "budget: {trials: 0}\n",
       e + "7: budget.trials: expected a positive integer, got '0'"},
      {kBase + "trial: {time_limit: 0}\n",
       e + "7: trial.time_limit: expected a duration > 0 (leave time_limit out for no limit)"},
      {kBase + "searcher: {type: grid, num_samples: 0}\n",
       e + "7: searcher.num_samples: expected a positive integer, got '0'"},
      {kBase + "searcher: {points_to_evaluate: [{lr: 5}]}\n",
       e + "7: searcher.points_to_evaluate[0].lr: 5.0 is not a value of uniform(0, 1); expected a "
           "value the domain can produce"},
      {kBase + "searcher: {points_to_evaluate: [{lrr: 0.5}]}\n",
       e + "7: searcher.points_to_evaluate[0].lrr: not a parameter of the space; expected one of "
           "lr "
           "(did you mean 'lr'?)"},
      {kBase + "pool: {gpus: [0, 0]}\n",
       e + "7: pool.gpus[1]: GPU 0 is listed twice; expected each index once"},
      {kBase + "env: {1X: a}\n",
       e + "7: env.1X: not a valid environment variable name; expected letters, digits and '_', "
           "not starting with a digit"},
  };
  for (const auto& c : cases) EXPECT_EQ(error_of(c.text), c.expected) << c.text;
}

// Range checks belong to the schedulers' factories; the spec adds the location of the option
// their message names.
TEST(SpecErrors, SchedulerFactoryMessagesGetTheOptionsLocation) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"scheduler: {type: asha, max_t: 10, grace_period: 20}", "7: scheduler.grace_period: "},
      {"scheduler: {type: asha, reduction_factor: 1}", "7: scheduler.reduction_factor: "},
      {"scheduler:\n  type: hyperband\n  reduction_factor: 2.5", "9: scheduler.reduction_factor: "},
      {"scheduler: {type: asha, brackets: 0}", "7: scheduler.brackets: "},
  };
  for (const auto& [yaml, prefix] : cases) {
    const std::string message = error_of(kBase + yaml + "\n");
    EXPECT_EQ(message.rfind("experiment.yaml:" + prefix, 0), 0u) << message;
    EXPECT_GT(message.size(), prefix.size() + 20) << "the factory's explanation follows";
  }
}

TEST(SpecErrors, YamlSyntaxErrorsGiveLineAndColumn) {
  EXPECT_EQ(error_of(kHead + "  lr: [1, 2\n"),
            "experiment.yaml:7:1: YAML syntax error: end of sequence flow not found");
  EXPECT_EQ(error_of("name: a: b\n"), "experiment.yaml:1:8: YAML syntax error: illegal map value");
}

TEST(SpecErrors, AMissingFileIsNotFound) {
  try {
    load_spec("/nonexistent/dir/experiment.yaml");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_TRUE(e.IsNotFound());
    EXPECT_EQ(std::string(e.what()),
              "experiment spec '/nonexistent/dir/experiment.yaml' not found");
  }
}

}  // namespace
}  // namespace tuneq::spec
