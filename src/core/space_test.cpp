#include "tuneq/space.hpp"

#include <cmath>
#include <set>

#include <gtest/gtest.h>

#include "tuneq/error.hpp"
#include "tuneq/rng.hpp"

namespace tuneq {
namespace {

std::string error_of(const Domain& d) {
  try {
    Space().add("p", d);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Space, InvalidDomainsAreErrorsNamingTheParameter) {
  struct Case {
    Domain domain;
    std::string message;
  };
  const Case cases[] = {
      {Domain::Uniform(1, 1), "parameter 'p': uniform(1, 1) is an empty range: low must be < high"},
      {Domain::Uniform(2, 1), "parameter 'p': uniform(2, 1) is an empty range: low must be < high"},
      {Domain::LogUniform(0, 1), "parameter 'p': loguniform(0, 1): a log domain needs low > 0"},
      {Domain::LogUniform(-1, 1), "parameter 'p': loguniform(-1, 1): a log domain needs low > 0"},
      {Domain::QUniform(0, 1, 0), "parameter 'p': quniform(0, 1, 0): q must be > 0"},
      {Domain::RandInt(3, 3), "parameter 'p': randint(3, 3) is an empty range: low must be < high"},
      {Domain::QRandInt(4, 3, 1),
       "parameter 'p': qrandint(4, 3, 1) is an empty range: low must be <= high"},
      {Domain::QRandInt(1, 4, 5),
       "parameter 'p': qrandint(1, 4, 5): no multiple of q lies in [low, high]"},
      {Domain::LogRandInt(0, 10), "parameter 'p': lograndint(0, 10): a log domain needs low > 0"},
      {Domain::Randn(0, 0), "parameter 'p': randn(0, 0): the standard deviation must be > 0"},
      {Domain::Choice({}), "parameter 'p': choice([]) needs at least one value"},
      {Domain::Grid({}), "parameter 'p': grid([]) needs at least one value"},
      {Domain::Uniform(0, INFINITY), "parameter 'p': uniform(0, inf) has a non-finite bound"},
  };
  for (const auto& c : cases) EXPECT_EQ(error_of(c.domain), c.message);
}

TEST(Space, DuplicateAndEmptyNamesAreErrors) {
  Space s;
  s.add("lr", Domain::Uniform(0, 1));
  EXPECT_THROW(s.add("lr", Domain::Uniform(0, 1)), Error);
  EXPECT_THROW(s.add("", Domain::Uniform(0, 1)), Error);
}

TEST(Space, SamplesStayInsideTheirDocumentedBounds) {
  Rng rng(3);
  std::set<std::int64_t> randint_seen, qrandint_seen, lograndint_seen;
  for (int i = 0; i < 5000; ++i) {
    const double u = Domain::Uniform(-1, 1).sample(rng).as_float();
    ASSERT_TRUE(u >= -1 && u < 1);
    const double lu = Domain::LogUniform(1e-4, 1e-1).sample(rng).as_float();
    ASSERT_TRUE(lu >= 1e-4 && lu < 1e-1);
    const double qu = Domain::QUniform(0, 1, 0.25).sample(rng).as_float();
    ASSERT_DOUBLE_EQ(std::fmod(qu, 0.25), 0.0);
    randint_seen.insert(Domain::RandInt(0, 3).sample(rng).as_int());
    qrandint_seen.insert(Domain::QRandInt(0, 10, 5).sample(rng).as_int());
    lograndint_seen.insert(Domain::LogRandInt(1, 4).sample(rng).as_int());
  }
  // randint and lograndint exclude the upper bound; qrandint includes it.
  EXPECT_EQ(randint_seen, (std::set<std::int64_t>{0, 1, 2}));
  EXPECT_EQ(qrandint_seen, (std::set<std::int64_t>{0, 5, 10}));
  EXPECT_EQ(lograndint_seen, (std::set<std::int64_t>{1, 2, 3}));
}

TEST(Space, ChoiceDrawsEveryValueOfEveryType) {
  Rng rng(4);
  const Domain d = Domain::Choice({Value(1), Value(2.5), Value("x"), Value(true)});
  std::set<Value> seen;
  for (int i = 0; i < 400; ++i) seen.insert(d.sample(rng));
  EXPECT_EQ(seen.size(), 4u);
}

TEST(Space, GridAxesAreNotSampled) {
  Rng rng(4);
  EXPECT_THROW(Domain::Grid({Value(1)}).sample(rng), Error);
}

TEST(Space, ContainsChecksTypeAndRange) {
  EXPECT_TRUE(Domain::Uniform(0, 1).contains(Value(0.5)));
  EXPECT_TRUE(Domain::Uniform(0, 1).contains(Value(0)));  // an int is a number
  EXPECT_FALSE(Domain::Uniform(0, 1).contains(Value(1.0)));
  EXPECT_FALSE(Domain::Uniform(0, 1).contains(Value("0.5")));
  EXPECT_TRUE(Domain::RandInt(0, 3).contains(Value(2)));
  EXPECT_FALSE(Domain::RandInt(0, 3).contains(Value(3)));
  EXPECT_FALSE(Domain::RandInt(0, 3).contains(Value(2.0)));
  EXPECT_TRUE(Domain::QRandInt(0, 10, 5).contains(Value(10)));
  EXPECT_TRUE(Domain::Choice({Value(32), Value(64)}).contains(Value(64.0)));
  EXPECT_FALSE(Domain::Choice({Value("a")}).contains(Value("b")));
}

TEST(Space, GridSizeIsTheProductOfGridAxes) {
  Space s;
  EXPECT_EQ(s.grid_size(), 1u);
  s.add("a", Domain::Grid({Value(1), Value(2), Value(3)}))
      .add("b", Domain::Uniform(0, 1))
      .add("c", Domain::Grid({Value("x"), Value("y")}));
  EXPECT_EQ(s.grid_size(), 6u);
  ASSERT_NE(s.find("b"), nullptr);
  EXPECT_EQ(s.find("z"), nullptr);
}

TEST(Space, CompactFormsPrintAsTheSpecWritesThem) {
  EXPECT_EQ(Domain::LogUniform(1e-4, 0.1).to_string(), "loguniform(0.0001, 0.1)");
  EXPECT_EQ(Domain::Choice({Value(32), Value("a"), Value(true)}).to_string(),
            "choice([32, \"a\", true])");
  EXPECT_EQ(Domain::QRandInt(0, 10, 5).to_string(), "qrandint(0, 10, 5)");
}

}  // namespace
}  // namespace tuneq
