#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tuneq/rng.hpp"
#include "tuneq/searcher.hpp"

namespace tuneq {
namespace {

// Suggests ids first_id, first_id+1, ... until Done (at most `limit` times).
std::vector<Config> drain(Searcher& searcher, TrialId first_id = 0, int limit = 1000) {
  std::vector<Config> out;
  for (int i = 0; i < limit; ++i) {
    Suggestion s = searcher.suggest(first_id + static_cast<TrialId>(i));
    if (s.kind == Suggestion::Kind::kDone) break;
    EXPECT_EQ(s.kind, Suggestion::Kind::kConfig);
    out.push_back(std::move(s.config));
  }
  return out;
}

// batch: 3 grid values, noise: random (between the grid axes, so it must not shift their
// order), opt: 2 grid values.
Space batch_noise_opt() {
  Space s;
  s.add("batch", Domain::Grid({16, 32, 64}));
  s.add("noise", Domain::Uniform(0, 1));
  s.add("opt", Domain::Grid({"adam", "sgd"}));
  return s;
}

TEST(GridSearch, CrossesTheGridWithSamplesInTheDocumentedOrder) {
  auto searcher = make_grid_search(batch_noise_opt(), {.seed = 5, .num_samples = 2});
  const std::vector<Config> got = drain(*searcher);
  ASSERT_EQ(got.size(), 12u);  // 3 x 2 grid points x 2 samples

  // Lexicographic in space order, the last grid axis (opt) fastest; the whole grid once per
  // sample.
  const std::vector<std::pair<std::int64_t, std::string>> expected = {
      {16, "adam"}, {16, "sgd"}, {32, "adam"}, {32, "sgd"}, {64, "adam"}, {64, "sgd"},  // sample 0
      {16, "adam"}, {16, "sgd"}, {32, "adam"}, {32, "sgd"}, {64, "adam"}, {64, "sgd"},  // sample 1
  };
  for (std::size_t k = 0; k < expected.size(); ++k) {
    EXPECT_EQ(got[k].at("batch"), Value(expected[k].first)) << "suggestion " << k;
    EXPECT_EQ(got[k].at("opt"), Value(expected[k].second)) << "suggestion " << k;
    EXPECT_EQ(got[k].size(), 3u);
  }
  EXPECT_EQ(searcher->suggest(12).kind, Suggestion::Kind::kDone);
  EXPECT_EQ(searcher->suggest(13).kind, Suggestion::Kind::kDone);
}

TEST(GridSearch, RandomAxesComeFromTheTrialStreamAndGridAxesTakeNoDraw) {
  auto searcher = make_grid_search(batch_noise_opt(), {.seed = 5, .num_samples = 2});
  const std::vector<Config> got = drain(*searcher);
  ASSERT_EQ(got.size(), 12u);
  for (TrialId id = 0; id < 12; ++id) {
    // noise is the only random param, so it is the first draw of trial id's stream; had the grid
    // axis before it taken a draw, it would be the second.
    Rng rng = Rng::ForTrial(5, id);
    EXPECT_EQ(got[id].at("noise"), Domain::Uniform(0, 1).sample(rng)) << "trial " << id;
  }
  // The same grid point in sample 0 and sample 1 gets a fresh random value.
  for (std::size_t g = 0; g < 6; ++g) EXPECT_NE(got[g].at("noise"), got[g + 6].at("noise"));
}

TEST(GridSearch, GridValuesKeepTheirTypes) {
  Space s;
  s.add("lr", Domain::Grid({0.1, 0.01}));
  s.add("layers", Domain::Grid({2, 4}));
  s.add("opt", Domain::Grid({"adam"}));
  s.add("bias", Domain::Grid({true, false}));
  auto searcher = make_grid_search(s, {.seed = 0, .num_samples = 1});
  const std::vector<Config> got = drain(*searcher);
  ASSERT_EQ(got.size(), 8u);
  // (lr, layers, opt, bias) in order, bias fastest.
  const std::vector<Config> expected = {
      {{"lr", 0.1}, {"layers", 2}, {"opt", "adam"}, {"bias", true}},
      {{"lr", 0.1}, {"layers", 2}, {"opt", "adam"}, {"bias", false}},
      {{"lr", 0.1}, {"layers", 4}, {"opt", "adam"}, {"bias", true}},
      {{"lr", 0.1}, {"layers", 4}, {"opt", "adam"}, {"bias", false}},
      {{"lr", 0.01}, {"layers", 2}, {"opt", "adam"}, {"bias", true}},
      {{"lr", 0.01}, {"layers", 2}, {"opt", "adam"}, {"bias", false}},
      {{"lr", 0.01}, {"layers", 4}, {"opt", "adam"}, {"bias", true}},
      {{"lr", 0.01}, {"layers", 4}, {"opt", "adam"}, {"bias", false}},
  };
  EXPECT_EQ(got, expected);  // Value equality is typed: 2 (int) != 2.0 (float)
  for (const auto& c : got) {
    EXPECT_TRUE(c.at("lr").is_float());
    EXPECT_TRUE(c.at("layers").is_int());
    EXPECT_TRUE(c.at("opt").is_string());
    EXPECT_TRUE(c.at("bias").is_bool());
  }
}

TEST(GridSearch, NumSamplesZeroOrOneRunsTheGridOnce) {
  Space s;
  s.add("a", Domain::Grid({1, 2}));
  s.add("b", Domain::Grid({"x", "y", "z"}));
  const std::vector<Config> expected = {
      {{"a", 1}, {"b", "x"}}, {{"a", 1}, {"b", "y"}}, {{"a", 1}, {"b", "z"}},
      {{"a", 2}, {"b", "x"}}, {{"a", 2}, {"b", "y"}}, {{"a", 2}, {"b", "z"}},
  };
  for (std::uint64_t num_samples : {0, 1}) {
    auto searcher = make_grid_search(s, {.seed = 0, .num_samples = num_samples});
    EXPECT_EQ(drain(*searcher), expected) << "num_samples " << num_samples;
  }
}

TEST(GridSearch, OrderFollowsSuggestionCountNotTrialIds) {
  Space s;
  s.add("a", Domain::Grid({1, 2, 3}));
  auto searcher = make_grid_search(s, {.seed = 0, .num_samples = 1});
  // Ids handed out with gaps still walk the grid one point per suggestion.
  EXPECT_EQ(searcher->suggest(10).config, (Config{{"a", 1}}));
  EXPECT_EQ(searcher->suggest(20).config, (Config{{"a", 2}}));
  EXPECT_EQ(searcher->suggest(30).config, (Config{{"a", 3}}));
  EXPECT_EQ(searcher->suggest(40).kind, Suggestion::Kind::kDone);
}

TEST(GridSearch, WithoutGridAxesItIsRandomSearchWithNumSamplesDraws) {
  Space s;
  s.add("lr", Domain::LogUniform(1e-4, 1e-1));
  s.add("opt", Domain::Choice({"adam", "sgd"}));
  auto grid = make_grid_search(s, {.seed = 8, .num_samples = 4});
  auto random = make_random_search(s, {.seed = 8, .num_samples = 4});
  const std::vector<Config> from_grid = drain(*grid);
  EXPECT_EQ(from_grid.size(), 4u);
  EXPECT_EQ(from_grid, drain(*random));
}

TEST(GridSearch, SingleValueAxesGiveOnePointPerSample) {
  Space s;
  s.add("a", Domain::Grid({7}));
  s.add("u", Domain::Uniform(-1, 1));
  auto searcher = make_grid_search(s, {.seed = 1, .num_samples = 3});
  const std::vector<Config> got = drain(*searcher);
  ASSERT_EQ(got.size(), 3u);
  for (const auto& c : got) EXPECT_EQ(c.at("a"), Value(7));
}

}  // namespace
}  // namespace tuneq
