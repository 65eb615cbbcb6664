#include "spec/domain_parser.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tuneq/error.hpp"

namespace tuneq::spec {
namespace {

using K = Domain::Kind;

// Reads `yaml` (one "p: <domain>" line) the way the spec reads a space entry.
Domain read(const std::string& yaml) {
  const YAML::Node root = YAML::Load(yaml);
  return read_domain(SpecNode("d.yaml", "space.p", root["p"], 1));
}

std::string error_of(const std::string& yaml) {
  try {
    read(yaml);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

struct NumericCase {
  const char* yaml;
  K kind;
  double low, high, q;
};

TEST(DomainParser, CompactAndStructuredFormsOfEveryNumericKind) {
  const std::vector<NumericCase> cases = {
      {"p: uniform(0, 0.5)", K::kUniform, 0, 0.5, 0},
      {"p: {type: uniform, low: 0.0, high: 0.5}", K::kUniform, 0, 0.5, 0},
      {"p: quniform(0, 1, 0.25)", K::kQUniform, 0, 1, 0.25},
      {"p: {type: quniform, low: 0, high: 1, q: 0.25}", K::kQUniform, 0, 1, 0.25},
      {"p: loguniform(1e-4, 1e-1)", K::kLogUniform, 1e-4, 1e-1, 0},
      {"p: {type: loguniform, low: 1e-4, high: 0.1}", K::kLogUniform, 1e-4, 0.1, 0},
      {"p: qloguniform(1, 1000, 5)", K::kQLogUniform, 1, 1000, 5},
      {"p: {type: qloguniform, low: 1, high: 1000, q: 5}", K::kQLogUniform, 1, 1000, 5},
      {"p: randn(-1.5, 2)", K::kRandn, -1.5, 2, 0},  // low() is the mean, high() the sd
      {"p: {type: randn, mean: -1.5, sd: 2}", K::kRandn, -1.5, 2, 0},
      {"p: randint(1, 10)", K::kRandInt, 1, 10, 1},
      {"p: {type: randint, low: -3, high: 3}", K::kRandInt, -3, 3, 1},
      {"p: lograndint(1, 1024)", K::kLogRandInt, 1, 1024, 1},
      {"p: {type: lograndint, low: 2, high: 64}", K::kLogRandInt, 2, 64, 1},
      {"p: qrandint(0, 100, 10)", K::kQRandInt, 0, 100, 10},
      {"p: {type: qrandint, low: 0, high: 100, q: 10}", K::kQRandInt, 0, 100, 10},
      {"p: uniform( -1 ,+1 )", K::kUniform, -1, 1, 0},  // spaces and signs
  };
  for (const auto& c : cases) {
    const Domain d = read(c.yaml);
    EXPECT_EQ(d.kind(), c.kind) << c.yaml;
    EXPECT_EQ(d.low(), c.low) << c.yaml;
    EXPECT_EQ(d.high(), c.high) << c.yaml;
    EXPECT_EQ(d.q(), c.q) << c.yaml;
  }
}

TEST(DomainParser, ChoiceAndGridKeepEachValuesType) {
  const Domain compact = read(R"(p: choice([32, 0.5, true, adam, "64", 'it''s', 1e-3, "a, b"]))");
  EXPECT_EQ(compact.kind(), K::kChoice);
  const std::vector<Value> expected = {32, 0.5, true, "adam", "64", "it's", 1e-3, "a, b"};
  EXPECT_EQ(compact.values(), expected);
  EXPECT_TRUE(compact.values()[0].is_int());
  EXPECT_TRUE(compact.values()[4].is_string());  // a quoted number stays a string

  const Domain structured =
      read(R"(p: {type: choice, values: [32, 0.5, true, adam, "64", 'it''s', 1e-3, "a, b"]})");
  EXPECT_EQ(structured.values(), expected);
  EXPECT_TRUE(structured.values()[0].is_int());
  EXPECT_TRUE(structured.values()[1].is_float());
  EXPECT_TRUE(structured.values()[2].is_bool());
  EXPECT_TRUE(structured.values()[4].is_string());

  const Domain grid = read("p: grid([1, 2, 3])");
  EXPECT_EQ(grid.kind(), K::kGrid);
  EXPECT_EQ(grid.values(), (std::vector<Value>{1, 2, 3}));
  const Domain block = read("p:\n  type: grid\n  values:\n    - 1.0\n    - x\n");
  EXPECT_EQ(block.kind(), K::kGrid);
  EXPECT_EQ(block.values(), (std::vector<Value>{1.0, "x"}));
  EXPECT_TRUE(block.values()[0].is_float());
}

TEST(DomainParser, AScalarIsAOneValueChoiceOfItsType) {
  EXPECT_EQ(read("p: 0.01").values(), std::vector<Value>{0.01});
  EXPECT_TRUE(read("p: 10").values()[0].is_int());
  EXPECT_EQ(read("p: adam").values(), std::vector<Value>{"adam"});
  EXPECT_EQ(read("p: false").values(), std::vector<Value>{false});
  // A constant string shaped like a compact form needs the structured form.
  const Domain text = read("p: {type: choice, values: ['uniform(0, 1)']}");
  EXPECT_EQ(text.values(), std::vector<Value>{"uniform(0, 1)"});
}

TEST(DomainParser, InsideFlowMapsCompactFormsAreQuoted) {
  const YAML::Node root =
      YAML::Load(R"yaml({a: "uniform(0, 1)", b: 'choice([x, y])', c: uniform(0, 1)})yaml");
  const Domain a = read_domain(SpecNode("d.yaml", "space.a", root["a"], 1));
  EXPECT_EQ(a.kind(), K::kUniform);
  EXPECT_EQ(a.high(), 1.0);
  const Domain b = read_domain(SpecNode("d.yaml", "space.b", root["b"], 1));
  EXPECT_EQ(b.values(), (std::vector<Value>{"x", "y"}));
  // Unquoted, YAML cut it at the comma into "uniform(0" and a key "1)".
  try {
    read_domain(SpecNode("d.yaml", "space.c", root["c"], 1));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "d.yaml:1: space.c: 'uniform(0' was cut at a comma: inside {...} and [...] YAML "
              "splits plain text at commas; expected the domain in quotes, like \"uniform(0, 1)\", "
              "or in block style on its own line");
  }
}

TEST(DomainParser, CompactFormErrorsSayWhatWasExpected) {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"p: choice(adam, sgd)",
       "d.yaml:1: space.p: choice takes one list of values, like choice([a, b]); got "
       "'choice(adam, sgd)'"},
      {"p: loguniform(1e-4)", "d.yaml:1: space.p: loguniform takes 2 arguments (low, high), got 1"},
      {"p: uniform(a, 1)", "d.yaml:1: space.p: uniform: low must be a number, got 'a'"},
      {"p: qrandint(0, 10, 0.5)", "d.yaml:1: space.p: qrandint: q must be an integer, got '0.5'"},
      {"p: choice([1, [2]])", "d.yaml:1: space.p: choice: '[2]': lists and maps cannot be values"},
      {"p: choice([\"open])", "d.yaml:1: space.p: choice: a quoted value is not closed"},
      {"p: choice([a, , b])", "d.yaml:1: space.p: choice: empty or null value in the list"},
      {"p: grid([1, inf])",
       "d.yaml:1: space.p: grid: inf is not a usable value; expected finite numbers, strings or "
       "bools"},
      {"p: {type: choice, values: 3}",
       "d.yaml:1: space.p.values: expected a list of values like [32, 64], got '3'"},
      {"p: {low: 0, high: 1}",
       "d.yaml:1: space.p.type: required key missing; expected one of uniform, quniform, "
       "loguniform, qloguniform, randn, randint, lograndint, qrandint, choice, grid"},
      {"p: {type: randint, low: 0.5, high: 3}",
       "d.yaml:1: space.p.low: expected an integer, got '0.5'"},
      {"p: {type: uniform, low: 0, high: 1, q: 0.1}",
       "d.yaml:1: space.p.q: unknown key; expected one of type, low, high"},
      {"p: qrandint(5, 7, 10)",
       "d.yaml:1: space.p: qrandint(5, 7, 10): no multiple of q lies in [low, high]"},
      {"p: randn(0, 0)", "d.yaml:1: space.p: randn(0, 0): the standard deviation must be > 0"},
  };
  for (const auto& [yaml, expected] : cases) EXPECT_EQ(error_of(yaml), expected) << yaml;
}

TEST(DomainParser, LooksLikeCompactDomain) {
  EXPECT_TRUE(looks_like_compact_domain("uniform(0, 1)"));
  EXPECT_TRUE(looks_like_compact_domain("  foo (x) "));
  EXPECT_FALSE(looks_like_compact_domain("adam"));
  EXPECT_FALSE(looks_like_compact_domain("(1, 2)"));
  EXPECT_FALSE(looks_like_compact_domain("9lives(1)"));
  EXPECT_FALSE(looks_like_compact_domain("f(x) + 1"));
}

TEST(DomainParser, StructuredJsonReadsBackBitForBit) {
  const std::vector<Domain> domains = {
      Domain::Uniform(0.1, 0.30000000000000004),
      Domain::QUniform(-1, 1, 1.0 / 3),
      Domain::LogUniform(1e-300, 1e300),
      Domain::QLogUniform(1, 1000, 5),
      Domain::Randn(0.5, 2),
      Domain::RandInt(-5, 5),
      Domain::LogRandInt(1, 1024),
      Domain::QRandInt(0, 100, 10),
      Domain::Choice({32, 0.5, 1.0, true, "adam", "32", "quote \" and \\ and\nnewline"}),
      Domain::Grid({std::int64_t{1} << 60, -0.0}),
  };
  for (const auto& d : domains) {
    const std::string json = domain_to_json(d).dump();
    const Domain back = read("p: " + json);
    EXPECT_EQ(back.kind(), d.kind()) << json;
    EXPECT_EQ(back.low(), d.low()) << json;
    EXPECT_EQ(back.high(), d.high()) << json;
    EXPECT_EQ(back.q(), d.q()) << json;
    EXPECT_EQ(back.values(), d.values()) << json;
    for (std::size_t i = 0; i < d.values().size(); ++i) {
      EXPECT_EQ(back.values()[i].storage().index(), d.values()[i].storage().index()) << json;
    }
  }
  EXPECT_EQ(domain_to_json(Domain::RandInt(1, 10)).dump(),
            R"({"type":"randint","low":1,"high":10})");
  EXPECT_EQ(domain_to_json(Domain::Choice({1, 1.0, "1"})).dump(),
            R"({"type":"choice","values":[1,1.0,"1"]})");
  EXPECT_THROW(value_to_json(Value(std::numeric_limits<double>::infinity())), Error);
}

}  // namespace
}  // namespace tuneq::spec
