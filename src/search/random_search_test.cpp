#include <string>

#include <gtest/gtest.h>

#include "tuneq/error.hpp"
#include "tuneq/rng.hpp"
#include "tuneq/searcher.hpp"

namespace tuneq {
namespace {

Space mixed_space() {
  Space s;
  s.add("lr", Domain::LogUniform(1e-4, 1e-1));
  s.add("layers", Domain::RandInt(1, 5));
  s.add("opt", Domain::Choice({"adam", "sgd", "rmsprop"}));
  s.add("dropout", Domain::Uniform(0, 0.5));
  return s;
}

Config config_of(Searcher& searcher, TrialId id) {
  Suggestion s = searcher.suggest(id);
  EXPECT_EQ(s.kind, Suggestion::Kind::kConfig) << "trial " << id;
  return s.config;
}

TEST(RandomSearch, TrialConfigIsReproducibleAlone) {
  auto in_order = make_random_search(mixed_space(), {.seed = 42});
  Config seventeenth;
  for (TrialId id = 0; id <= 17; ++id) seventeenth = config_of(*in_order, id);

  auto alone = make_random_search(mixed_space(), {.seed = 42});
  EXPECT_EQ(config_of(*alone, 17), seventeenth);
}

TEST(RandomSearch, ConfigDependsOnTheIdNotOnHowManyWereAskedBefore) {
  // Ids may skip (the tuner hands them out); trial 9 is the same after 5 as after nothing.
  auto skipping = make_random_search(mixed_space(), {.seed = 7});
  config_of(*skipping, 5);
  auto fresh = make_random_search(mixed_space(), {.seed = 7});
  EXPECT_EQ(config_of(*skipping, 9), config_of(*fresh, 9));
}

TEST(RandomSearch, DrawsParamsInSpaceOrderFromTheTrialStream) {
  // The documented contract, spelled out: one Rng::ForTrial(seed, id) per trial, params in the
  // order they were added (not the Config's alphabetical order).
  const Space space = mixed_space();
  Rng rng = Rng::ForTrial(3, 11);
  Config expected;
  for (const auto& p : space.params()) expected[p.name] = p.domain.sample(rng);

  auto searcher = make_random_search(space, {.seed = 3});
  EXPECT_EQ(config_of(*searcher, 11), expected);
}

TEST(RandomSearch, DifferentSeedsGiveDifferentConfigs) {
  auto a = make_random_search(mixed_space(), {.seed = 1});
  auto b = make_random_search(mixed_space(), {.seed = 2});
  // A float drawn from 53 random bits colliding by chance is out of the question.
  for (TrialId id = 0; id < 5; ++id) {
    EXPECT_NE(config_of(*a, id).at("lr"), config_of(*b, id).at("lr")) << "trial " << id;
  }
}

TEST(RandomSearch, DifferentTrialsGetDifferentConfigs) {
  auto searcher = make_random_search(mixed_space(), {.seed = 1});
  EXPECT_NE(config_of(*searcher, 0).at("dropout"), config_of(*searcher, 1).at("dropout"));
}

TEST(RandomSearch, EveryValueLiesInsideItsDomainWithItsType) {
  const Space space = mixed_space();
  auto searcher = make_random_search(space, {.seed = 9});
  for (TrialId id = 0; id < 500; ++id) {
    const Config c = config_of(*searcher, id);
    ASSERT_EQ(c.size(), 4u);
    for (const auto& p : space.params()) ASSERT_TRUE(p.domain.contains(c.at(p.name))) << p.name;
    ASSERT_TRUE(c.at("lr").is_float());
    ASSERT_TRUE(c.at("layers").is_int());
    ASSERT_TRUE(c.at("opt").is_string());
  }
}

TEST(RandomSearch, NumSamplesBoundsTheSuggestions) {
  struct Case {
    std::uint64_t num_samples;
    int configs_expected;  // asked 10 times
  };
  const Case cases[] = {{1, 1}, {3, 3}, {10, 10}, {0, 10}};
  for (const auto& c : cases) {
    auto searcher = make_random_search(mixed_space(), {.seed = 0, .num_samples = c.num_samples});
    int configs = 0;
    for (TrialId id = 0; id < 10; ++id) {
      const auto kind = searcher->suggest(id).kind;
      if (kind == Suggestion::Kind::kConfig) {
        ++configs;
      } else {
        ASSERT_EQ(kind, Suggestion::Kind::kDone);
        ASSERT_GE(configs, c.configs_expected) << "Done came before the configs ran out";
      }
    }
    EXPECT_EQ(configs, c.configs_expected) << "num_samples " << c.num_samples;
  }
}

TEST(RandomSearch, DoneIsFinal) {
  auto searcher = make_random_search(mixed_space(), {.seed = 0, .num_samples = 2});
  searcher->suggest(0);
  searcher->suggest(1);
  for (TrialId id = 2; id < 6; ++id) EXPECT_EQ(searcher->suggest(id).kind, Suggestion::Kind::kDone);
}

TEST(RandomSearch, GridAxisIsAnErrorNamingIt) {
  Space space = mixed_space();
  space.add("batch", Domain::Grid({16, 32}));
  try {
    make_random_search(space, {});
    FAIL() << "a grid axis was accepted";
  } catch (const Error& e) {
    EXPECT_TRUE(e.IsInvalidArgument());
    EXPECT_STREQ(e.what(), "parameter 'batch' is a grid axis: use grid search");
  }
}

TEST(RandomSearch, EmptySpaceGivesEmptyConfigs) {
  auto searcher = make_random_search(Space(), {.seed = 0, .num_samples = 2});
  EXPECT_EQ(config_of(*searcher, 0), Config{});
  EXPECT_EQ(config_of(*searcher, 1), Config{});
  EXPECT_EQ(searcher->suggest(2).kind, Suggestion::Kind::kDone);
}

}  // namespace
}  // namespace tuneq
