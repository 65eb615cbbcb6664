#include "run/line_protocol.hpp"

#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace tuneq::detail {
namespace {

TEST(LineProtocol, ParsesReports) {
  struct Case {
    std::string json;
    Metrics metrics;
    std::optional<std::string> checkpoint;
  };
  const Case cases[] = {
      {R"({"epoch": 3, "val_loss": 0.41})", {{"epoch", 3}, {"val_loss", 0.41}}, std::nullopt},
      {"{}", {}, std::nullopt},
      // bools are 0/1; strings, arrays and objects are not metrics and are ignored.
      {R"({"ok": true, "bad": false, "note": "x", "v": [1], "o": {"a": 1}})",
       {{"ok", 1}, {"bad", 0}},
       std::nullopt},
      {R"({"loss": 1e-3, "step": -7, "big": 18446744073709551615})",
       {{"loss", 0.001}, {"step", -7}, {"big", 18446744073709551615.0}},
       std::nullopt},
      {R"({"checkpoint": "ckpt-3", "loss": 2})", {{"loss", 2}}, "ckpt-3"},
      {R"({"checkpoint": "/abs/ckpt", "loss": 2})", {{"loss", 2}}, "/abs/ckpt"},
      {R"({"checkpoint": null, "loss": 2})", {{"loss", 2}}, std::nullopt},
      {" \t{\"a\":1} ", {{"a", 1}}, std::nullopt},  // surrounding blanks are fine
  };
  for (const Case& c : cases) {
    std::string error;
    const std::optional<Report> report = parse_report(c.json, error);
    ASSERT_TRUE(report) << c.json << ": " << error;
    EXPECT_EQ(report->metrics, c.metrics) << c.json;
    EXPECT_EQ(report->checkpoint, c.checkpoint) << c.json;
  }
}

TEST(LineProtocol, NullIsNaN) {
  std::string error;
  const std::optional<Report> report = parse_report(R"({"loss": null, "acc": 0.5})", error);
  ASSERT_TRUE(report);
  ASSERT_EQ(report->metrics.size(), 2u);
  EXPECT_TRUE(std::isnan(report->metrics.at("loss")));
  EXPECT_EQ(report->metrics.at("acc"), 0.5);
}

TEST(LineProtocol, RejectsMalformedReports) {
  struct Case {
    std::string json;
    std::string error;
  };
  const Case cases[] = {
      {"", "not valid JSON"},
      {"{\"loss\": 1", "not valid JSON"},
      {"{loss: 1}", "not valid JSON"},
      {"{\"a\": NaN}", "not valid JSON"},
      {"{\"a\": 1} trailing", "not valid JSON"},
      {"[1, 2]", "not a JSON object"},
      {"3", "not a JSON object"},
      {"\"loss\"", "not a JSON object"},
      {R"({"checkpoint": 3})", "\"checkpoint\" must be a non-empty string"},
      {R"({"checkpoint": ""})", "\"checkpoint\" must be a non-empty string"},
  };
  for (const Case& c : cases) {
    std::string error;
    EXPECT_FALSE(parse_report(c.json, error)) << c.json;
    EXPECT_EQ(error, c.error) << c.json;
  }
}

TEST(LineProtocol, RecognisesReportLines) {
  EXPECT_TRUE(is_report_line("@tuneq {}"));
  EXPECT_TRUE(is_report_line("@tuneq garbage"));  // a report, though a malformed one
  EXPECT_FALSE(is_report_line("@tuneq"));
  EXPECT_FALSE(is_report_line(" @tuneq {}"));
  EXPECT_FALSE(is_report_line("@tuneq\t{}"));
  EXPECT_FALSE(is_report_line("epoch 3 loss 0.4"));
}

TEST(LineProtocol, ReplyLines) {
  EXPECT_EQ(reply_line(Action::kContinue), "continue\n");
  EXPECT_EQ(reply_line(Action::kPause), "pause\n");
  EXPECT_EQ(reply_line(Action::kStop), "stop\n");
}

// Feeds `chunks` through a LineBuffer and returns the lines it hands out, then the rest.
std::vector<std::string> split(const std::vector<std::string>& chunks) {
  LineBuffer buffer;
  std::vector<std::string> lines;
  for (const std::string& chunk : chunks) {
    char* room = buffer.prepare(chunk.size() + 16);
    chunk.copy(room, chunk.size());
    buffer.commit(chunk.size());
    buffer.for_each_line([&](std::string_view line) { lines.emplace_back(line); });
  }
  if (auto rest = buffer.take_rest()) lines.push_back("rest:" + *rest);
  return lines;
}

TEST(LineProtocol, LineBufferSplitsAcrossChunks) {
  using Lines = std::vector<std::string>;
  EXPECT_EQ(split({"a\nb\n"}), (Lines{"a", "b"}));
  EXPECT_EQ(split({"ab", "c\nd", "e\n"}), (Lines{"abc", "de"}));
  EXPECT_EQ(split({"x\r\n\n", "y"}), (Lines{"x", "", "rest:y"}));
  EXPECT_EQ(split({"", "\n"}), (Lines{""}));
  EXPECT_EQ(split({}), Lines{});
}

TEST(LineProtocol, LineBufferCutsOverlongLines) {
  const std::string long_run(kMaxLineBytes + 10, 'x');
  const std::vector<std::string> lines = split({long_run + "\nok\n"});
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].size(), kMaxLineBytes);
  EXPECT_EQ(lines[1], std::string(10, 'x'));
  EXPECT_EQ(lines[2], "ok");
}

}  // namespace
}  // namespace tuneq::detail
