#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tuneq/error.hpp"
#include "tuneq/searcher.hpp"

namespace tuneq {
namespace {

// Answers every suggest with {"from_inner": id} and writes down each call it gets.
class RecordingSearcher final : public Searcher {
 public:
  explicit RecordingSearcher(std::vector<std::string>* log) : log_(log) {}
  Suggestion suggest(TrialId id) override {
    log_->push_back(fmt::format("suggest {}", id));
    return Suggestion::Of({{"from_inner", static_cast<std::int64_t>(id)}});
  }
  void on_result(TrialId id, const Result& r) override {
    log_->push_back(fmt::format("result {} {} {}", id, r.resource, r.value));
  }
  void on_trial_finished(TrialId id, TrialEnd how) override {
    log_->push_back(fmt::format("finished {} {}", id, static_cast<int>(how)));
  }

 private:
  std::vector<std::string>* log_;
};

Space lr_opt_layers() {
  Space s;
  s.add("lr", Domain::LogUniform(1e-4, 1e-1));
  s.add("opt", Domain::Choice({"adam", "sgd"}));
  s.add("layers", Domain::RandInt(1, 10));
  return s;
}

std::string error_of(const Space& space, std::vector<Config> points) {
  try {
    make_points_to_evaluate(space, std::move(points), 0, nullptr);
  } catch (const Error& e) {
    EXPECT_TRUE(e.IsInvalidArgument());
    return e.what();
  }
  return "";
}

TEST(PointsToEvaluate, GivesThePointsInOrderThenDefersToInner) {
  std::vector<std::string> log;
  const Config p0 = {{"lr", 0.01}, {"opt", "sgd"}, {"layers", 3}};
  const Config p1 = {{"lr", 0.001}, {"opt", "adam"}, {"layers", 8}};
  auto searcher = make_points_to_evaluate(lr_opt_layers(), {p0, p1}, 0,
                                          std::make_unique<RecordingSearcher>(&log));
  EXPECT_EQ(searcher->suggest(0).config, p0);
  EXPECT_EQ(searcher->suggest(1).config, p1);
  EXPECT_TRUE(log.empty()) << "inner was asked while points remained";
  EXPECT_EQ(searcher->suggest(2).config, (Config{{"from_inner", 2}}));
  EXPECT_EQ(searcher->suggest(3).config, (Config{{"from_inner", 3}}));
  EXPECT_EQ(log, (std::vector<std::string>{"suggest 2", "suggest 3"}));
}

TEST(PointsToEvaluate, MissingParamsAreWhatRandomSearchWouldDrawForThatTrial) {
  const Space space = lr_opt_layers();
  auto points = make_points_to_evaluate(space, {{{"opt", "sgd"}}, {}}, 77, nullptr);
  auto random = make_random_search(space, {.seed = 77});

  const Config first = points->suggest(0).config;
  Config expected_first = random->suggest(0).config;
  expected_first["opt"] = "sgd";  // the point's own value wins
  EXPECT_EQ(first, expected_first);

  EXPECT_EQ(points->suggest(1).config, random->suggest(1).config);  // empty point: all drawn
  EXPECT_EQ(points->suggest(2).kind, Suggestion::Kind::kDone);      // no inner
}

TEST(PointsToEvaluate, MissingGridAxisTakesItsFirstValue) {
  Space space;
  space.add("batch", Domain::Grid({64, 16, 32}));
  space.add("u", Domain::Uniform(0, 1));
  auto searcher = make_points_to_evaluate(space, {{{"u", 0.5}}, {{"batch", 32}}}, 3,
                                          make_grid_search(space, {.seed = 3}));
  const Config first = searcher->suggest(0).config;
  EXPECT_EQ(first, (Config{{"batch", 64}, {"u", 0.5}}));  // first listed, not smallest
  EXPECT_EQ(searcher->suggest(1).config.at("batch"), Value(32));
  // Then the grid from its start: 64, 16, 32.
  EXPECT_EQ(searcher->suggest(2).config.at("batch"), Value(64));
  EXPECT_EQ(searcher->suggest(3).config.at("batch"), Value(16));
}

TEST(PointsToEvaluate, ValuesTakeTheirDomainsType) {
  Space space;
  space.add("lr", Domain::Uniform(0, 1));
  space.add("width", Domain::Choice({1.0, 2.0}));
  // 0 and 2 are ints; the drawn values of these domains are floats, so the point's are too.
  auto searcher = make_points_to_evaluate(space, {{{"lr", 0}, {"width", 2}}}, 0, nullptr);
  const Config c = searcher->suggest(0).config;
  EXPECT_TRUE(c.at("lr").is_float());
  EXPECT_EQ(c.at("lr"), Value(0.0));
  EXPECT_EQ(c.at("width"), Value(2.0));
}

TEST(PointsToEvaluate, BadPointsAreErrorsNamingPointAndParameter) {
  struct Case {
    std::vector<Config> points;
    std::string message;
  };
  const Config ok = {{"lr", 0.01}};
  const Case cases[] = {
      {{ok, ok, {{"lrr", 0.01}}}, "point 2: unknown parameter 'lrr'"},
      {{ok, {{"lr", 5}}}, "point 1: parameter 'lr' = 5 is outside loguniform(0.0001, 0.1)"},
      // loguniform's upper bound is exclusive.
      {{{{"lr", 0.1}}}, "point 0: parameter 'lr' = 0.1 is outside loguniform(0.0001, 0.1)"},
      {{{{"opt", "sgdd"}}},
       R"(point 0: parameter 'opt' = "sgdd" is outside choice(["adam", "sgd"]))"},
      // randint's upper bound is exclusive, and it takes ints only.
      {{{{"layers", 10}}}, "point 0: parameter 'layers' = 10 is outside randint(1, 10)"},
      {{{{"layers", 2.5}}}, "point 0: parameter 'layers' = 2.5 is outside randint(1, 10)"},
      {{{{"opt", true}}}, R"(point 0: parameter 'opt' = true is outside choice(["adam", "sgd"]))"},
  };
  for (const auto& c : cases) EXPECT_EQ(error_of(lr_opt_layers(), c.points), c.message);
}

TEST(PointsToEvaluate, ForwardsResultsAndFinishesToInner) {
  std::vector<std::string> log;
  auto searcher = make_points_to_evaluate(lr_opt_layers(), {{{"lr", 0.01}}}, 0,
                                          std::make_unique<RecordingSearcher>(&log));
  searcher->suggest(0);  // a point: inner is not asked
  searcher->on_result(0, Result{.resource = 1, .value = 0.5});
  searcher->on_trial_finished(0, TrialEnd::kStopped);
  searcher->suggest(1);
  searcher->on_trial_finished(1, TrialEnd::kFailed);
  EXPECT_EQ(log, (std::vector<std::string>{"result 0 1 0.5", "finished 0 1", "suggest 1",
                                           "finished 1 2"}));
}

TEST(PointsToEvaluate, NoPointsIsJustInner) {
  std::vector<std::string> log;
  auto searcher =
      make_points_to_evaluate(lr_opt_layers(), {}, 0, std::make_unique<RecordingSearcher>(&log));
  EXPECT_EQ(searcher->suggest(4).config, (Config{{"from_inner", 4}}));
}

}  // namespace
}  // namespace tuneq
