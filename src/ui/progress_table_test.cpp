#include "ui/progress_table.hpp"

#include <gtest/gtest.h>

namespace tuneq::ui {
namespace {

TrialRecord trial(TrialId id, TrialStatus status, double lr, double resource, double value,
                  std::string reason = "") {
  TrialRecord t;
  t.id = id;
  t.config = {{"lr", lr}, {"hidden", 64}};
  t.status = status;
  t.resource = resource;
  t.last_value = value;
  t.best_value = value;
  t.last_reason = std::move(reason);
  return t;
}

Snapshot snapshot(const std::vector<TrialRecord>& trials) {
  Snapshot s;
  s.experiment = "digits-mlp";
  s.scheduler = "asha (promotion)";
  s.metric = "val_loss";
  s.resource_attr = "epoch";
  s.elapsed = 83;
  s.trials = &trials;
  s.best = 1;
  s.best_value = 0.25;
  return s;
}

TEST(ProgressTable, ElapsedTime) {
  EXPECT_EQ(format_elapsed(0), "00:00:00");
  EXPECT_EQ(format_elapsed(3723.9), "01:02:03");
  EXPECT_EQ(format_elapsed(90061), "1d 01:01:01");
}

TEST(ProgressTable, PlainLineCountsStatesAndNamesTheBest) {
  const std::vector<TrialRecord> trials = {
      trial(0, TrialStatus::kStopped, 0.1, 1, 0.9),
      trial(1, TrialStatus::kRunning, 0.01, 3, 0.25),
      trial(2, TrialStatus::kPaused, 0.001, 1, 0.5),
  };
  EXPECT_EQ(render_line(snapshot(trials)),
            "[00:01:23] 3 trials: 1 running, 1 paused, 1 stopped | best val_loss 0.25 "
            "(trial 1: hidden=64, lr=0.01)");
}

TEST(ProgressTable, StatusBlockHasRungsAndATableRow) {
  const std::vector<TrialRecord> trials = {
      trial(0, TrialStatus::kStopped, 0.1, 1, 0.9, "below rung 0 cutoff 0.5 (top 1/3 of 3)"),
      trial(1, TrialStatus::kRunning, 0.01, 3, 0.25),
  };
  Snapshot s = snapshot(trials);
  s.rungs = {{0, 1, 3, 1, 1}, {0, 3, 1, 0, 0}};
  const std::string text = render_status(s);
  EXPECT_NE(text.find("== tuneq · digits-mlp · 00:01:23 elapsed · asha (promotion) =="),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("rungs: [1] 3 recorded, 1 promoted, 1 waiting | [3] 1 recorded"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("| trial | status  | hidden |   lr | epoch | val_loss | best | last "
                      "decision"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("|     0 | stopped |     64 |  0.1 |     1 |      0.9 |  0.9 | below rung 0"),
            std::string::npos)
      << text;
}

TEST(ProgressTable, RowsAreCappedWithACountOfTheRest) {
  std::vector<TrialRecord> trials;
  for (TrialId i = 0; i < 30; ++i) trials.push_back(trial(i, TrialStatus::kCompleted, 0.1, 9, 1));
  const std::string text = render_status(snapshot(trials), /*max_rows=*/5);
  EXPECT_NE(text.find("... 25 more trials"), std::string::npos) << text;
  EXPECT_NE(text.find("|    29 | completed"), std::string::npos) << text;  // most recent shown
  EXPECT_EQ(text.find("|     0 | completed"), std::string::npos) << text;
}

TEST(ProgressTable, LinesAreCutToTheTerminalWidth) {
  const std::vector<TrialRecord> trials = {trial(0, TrialStatus::kRunning, 0.1, 1, 0.9)};
  const std::string text = render_status(snapshot(trials), 20, 40);
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    EXPECT_LE(end - start, 40u) << text.substr(start, end - start);
    start = end + 1;
  }
}

}  // namespace
}  // namespace tuneq::ui

#include <algorithm>

#include "ui/progress_printer.hpp"

namespace tuneq::ui {
namespace {

std::string printed(bool tty, const std::vector<double>& times) {
  char* buf = nullptr;
  std::size_t len = 0;
  std::FILE* f = open_memstream(&buf, &len);
  {
    ProgressPrinter p(f, tty, /*plain_interval=*/10);
    const std::vector<TrialRecord> trials = {trial(0, TrialStatus::kRunning, 0.1, 1, 0.5)};
    for (std::size_t i = 0; i < times.size(); ++i) {
      Snapshot s = snapshot(trials);
      s.elapsed = times[i];
      p.show(s, /*final=*/i + 1 == times.size());
    }
  }
  std::fclose(f);
  std::string out(buf, len);
  std::free(buf);
  return out;
}

TEST(ProgressPrinter, PlainOutputPrintsOneLinePerIntervalAndTheFinalOne) {
  const std::string out = printed(false, {0, 3, 9, 10, 12, 13});
  // Lines at 0 and 10 (interval 10 s), then the final one at 13.
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 3) << out;
  EXPECT_EQ(out.find("\x1b["), std::string::npos) << "no escape codes when not a terminal";
  EXPECT_EQ(out.rfind("[00:00:00]", 0), 0u) << "the first line is drawn at once";
  EXPECT_NE(out.find("[00:00:10]"), std::string::npos) << out;
  EXPECT_EQ(out.find("[00:00:03]"), std::string::npos) << "nothing within the interval";
  EXPECT_NE(out.find("[00:00:13] 1 trials: 1 running"), std::string::npos) << out;
}

TEST(ProgressPrinter, TerminalOutputRedrawsInPlace) {
  const std::string out = printed(true, {0, 1});
  const auto first_block = out.find("== tuneq");
  const auto redraw = out.find("\x1b[");
  ASSERT_NE(first_block, std::string::npos);
  ASSERT_NE(redraw, std::string::npos) << "the second frame moves the cursor back up";
  EXPECT_LT(first_block, redraw);
  EXPECT_NE(out.find("F\x1b[J== tuneq"), std::string::npos) << "cursor up, clear, redraw";
}

}  // namespace
}  // namespace tuneq::ui
