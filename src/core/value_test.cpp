#include "tuneq/value.hpp"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "tuneq/error.hpp"

namespace tuneq {
namespace {

TEST(Value, JsonFormOfEachType) {
  struct Case {
    Value value;
    std::string json;
  };
  const Case cases[] = {
      {Value(0.1), "0.1"},
      {Value(1.0), "1.0"},  // a float keeps its '.': never an int
      {Value(3), "3"},
      {Value(std::int64_t{-7}), "-7"},
      {Value("adam"), "\"adam\""},
      {Value(true), "true"},
      {Value(1e-300), "1e-300"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(c.value.to_json(), c.json);
    EXPECT_EQ(Value::from_json(c.json), c.value) << c.json;
  }
}

TEST(Value, FloatAndIntStayDistinct) {
  EXPECT_TRUE(Value::from_json("1.0").is_float());
  EXPECT_TRUE(Value::from_json("1").is_int());
  EXPECT_NE(Value(1.0), Value(1));
}

TEST(Value, RejectsWhatJsonCannotCarry) {
  EXPECT_THROW(Value(std::nan("")).to_json(), Error);
  EXPECT_THROW(Value(std::numeric_limits<double>::infinity()).to_json(), Error);
  EXPECT_THROW(Value::from_json("null"), Error);
  EXPECT_THROW(Value::from_json("[1]"), Error);
  EXPECT_THROW(Value::from_json("18446744073709551615"), Error);
  EXPECT_THROW(Value::from_json("{oops"), Error);
}

TEST(Value, AccessorsCheckTheType) {
  EXPECT_EQ(Value(3).as_float(), 3.0);  // ints widen to float
  EXPECT_THROW(Value(3.5).as_int(), Error);
  EXPECT_THROW(Value("x").as_bool(), Error);
  try {
    (void)Value(true).as_string();
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "expected a string value, got a bool");
  }
}

TEST(Value, ConfigJsonIsSortedAndRoundTrips) {
  Config c{{"lr", 0.01}, {"hidden", 64}, {"opt", "sgd"}, {"bn", false}};
  const std::string json = config_to_json(c);
  EXPECT_EQ(json, R"({"bn":false,"hidden":64,"lr":0.01,"opt":"sgd"})");
  EXPECT_EQ(config_from_json(json), c);
  EXPECT_EQ(config_to_string(c), "bn=false, hidden=64, lr=0.01, opt=sgd");
  EXPECT_THROW(config_from_json("[1,2]"), Error);
  EXPECT_THROW(config_from_json(R"({"a": null})"), Error);
}

RC_GTEST_PROP(Value, EveryFiniteDoubleRoundTripsBitExact, (double d)) {
  RC_PRE(std::isfinite(d));
  const Value back = Value::from_json(Value(d).to_json());
  RC_ASSERT(back.is_float());
  RC_ASSERT(back.as_float() == d);
  RC_ASSERT(std::signbit(back.as_float()) == std::signbit(d));
}

TEST(Value, InvalidUtf8HasNoJsonForm) {
  EXPECT_THROW(Value(std::string("\xdc")).to_json(), Error);
  EXPECT_THROW(config_to_json(Config{{"s", std::string("\xff\xfe")}}), Error);
}

RC_GTEST_PROP(Value, EveryIntAndStringRoundTrips, (std::int64_t i)) {
  const auto s = *rc::gen::container<std::string>(rc::gen::inRange<char>(32, 127));
  RC_ASSERT(Value::from_json(Value(i).to_json()) == Value(i));
  RC_ASSERT(Value::from_json(Value(s).to_json()) == Value(s));
}

}  // namespace
}  // namespace tuneq
