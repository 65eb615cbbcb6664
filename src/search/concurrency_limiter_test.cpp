#include <deque>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tuneq/error.hpp"
#include "tuneq/searcher.hpp"

namespace tuneq {
namespace {

using Kind = Suggestion::Kind;

// Answers suggest with the scripted kinds (kConfig once the script runs out) and writes down
// each call it gets.
class RecordingSearcher final : public Searcher {
 public:
  RecordingSearcher(std::vector<std::string>* log, std::deque<Kind> script = {})
      : log_(log), script_(std::move(script)) {}
  Suggestion suggest(TrialId id) override {
    log_->push_back(fmt::format("suggest {}", id));
    Kind kind = Kind::kConfig;
    if (!script_.empty()) {
      kind = script_.front();
      script_.pop_front();
    }
    if (kind == Kind::kConfig) return Suggestion::Of({{"id", static_cast<std::int64_t>(id)}});
    return kind == Kind::kWait ? Suggestion::Wait() : Suggestion::Done();
  }
  void on_result(TrialId id, const Result& r) override {
    log_->push_back(fmt::format("result {} {} {}", id, r.resource, r.value));
  }
  void on_trial_finished(TrialId id, TrialEnd how) override {
    log_->push_back(fmt::format("finished {} {}", id, static_cast<int>(how)));
  }

 private:
  std::vector<std::string>* log_;
  std::deque<Kind> script_;
};

// One step of a scenario: suggest(id) expecting `expect`, or finish(id).
struct Step {
  enum class Op { kSuggest, kFinish } op;
  TrialId id;
  Kind expect = Kind::kConfig;
};
Step suggest(TrialId id, Kind expect) {
  return {Step::Op::kSuggest, id, expect};
}
Step finish(TrialId id) {
  return {Step::Op::kFinish, id};
}

TEST(ConcurrencyLimiter, WaitsAtTheLimitAndResumesAfterAFinish) {
  struct Case {
    std::string name;
    std::size_t max_concurrent;
    std::vector<Step> steps;
  };
  const Case cases[] = {
      {"limit 1",
       1,
       {suggest(0, Kind::kConfig), suggest(1, Kind::kWait), suggest(1, Kind::kWait), finish(0),
        suggest(1, Kind::kConfig), suggest(2, Kind::kWait)}},
      {"limit 2, finishes out of order",
       2,
       {suggest(0, Kind::kConfig), suggest(1, Kind::kConfig), suggest(2, Kind::kWait), finish(1),
        suggest(2, Kind::kConfig), suggest(3, Kind::kWait), finish(0), finish(2),
        suggest(3, Kind::kConfig), suggest(4, Kind::kConfig), suggest(5, Kind::kWait)}},
      {"finishing an unknown or already finished trial frees nothing",
       1,
       {suggest(0, Kind::kConfig), finish(99), suggest(1, Kind::kWait), finish(0), finish(0),
        suggest(1, Kind::kConfig), suggest(2, Kind::kWait)}},
  };
  for (const auto& c : cases) {
    std::vector<std::string> log;
    auto limiter =
        make_concurrency_limiter(std::make_unique<RecordingSearcher>(&log), c.max_concurrent);
    std::vector<std::string> expected_log;  // inner is asked only when a slot is free
    for (std::size_t i = 0; i < c.steps.size(); ++i) {
      const Step& s = c.steps[i];
      if (s.op == Step::Op::kFinish) {
        limiter->on_trial_finished(s.id, TrialEnd::kCompleted);
        expected_log.push_back(fmt::format("finished {} 0", s.id));
        continue;
      }
      const Suggestion got = limiter->suggest(s.id);
      EXPECT_EQ(got.kind, s.expect) << c.name << ", step " << i;
      if (s.expect == Kind::kConfig) {
        EXPECT_EQ(got.config, (Config{{"id", static_cast<std::int64_t>(s.id)}}));
        expected_log.push_back(fmt::format("suggest {}", s.id));
      }
    }
    EXPECT_EQ(log, expected_log) << c.name;
  }
}

TEST(ConcurrencyLimiter, InnerWaitAndDonePassThroughWithoutTakingASlot) {
  std::vector<std::string> log;
  auto limiter =
      make_concurrency_limiter(std::make_unique<RecordingSearcher>(
                                   &log, std::deque<Kind>{Kind::kWait, Kind::kConfig, Kind::kDone}),
                               1);
  EXPECT_EQ(limiter->suggest(0).kind, Kind::kWait);    // inner's wait: no slot taken...
  EXPECT_EQ(limiter->suggest(0).kind, Kind::kConfig);  // ...so this one is let through
  EXPECT_EQ(limiter->suggest(1).kind, Kind::kWait);    // the limiter's own wait
  limiter->on_trial_finished(0, TrialEnd::kCompleted);
  EXPECT_EQ(limiter->suggest(1).kind, Kind::kDone);
  EXPECT_EQ(log, (std::vector<std::string>{"suggest 0", "suggest 0", "finished 0 0", "suggest 1"}));
}

TEST(ConcurrencyLimiter, ForwardsResultsAndFinishes) {
  std::vector<std::string> log;
  auto limiter = make_concurrency_limiter(std::make_unique<RecordingSearcher>(&log), 3);
  limiter->suggest(0);
  limiter->on_result(0, Result{.resource = 2, .value = 0.25});
  limiter->on_result(7, Result{.resource = 1, .value = 3});  // unknown ids are forwarded too
  limiter->on_trial_finished(0, TrialEnd::kStopped);
  EXPECT_EQ(log, (std::vector<std::string>{"suggest 0", "result 0 2 0.25", "result 7 1 3",
                                           "finished 0 1"}));
}

TEST(ConcurrencyLimiter, ZeroMaxConcurrentIsAnError) {
  std::vector<std::string> log;
  try {
    make_concurrency_limiter(std::make_unique<RecordingSearcher>(&log), 0);
    FAIL() << "max_concurrent 0 was accepted";
  } catch (const Error& e) {
    EXPECT_TRUE(e.IsInvalidArgument());
    EXPECT_STREQ(e.what(), "concurrency limiter: max_concurrent must be >= 1, got 0");
  }
}

}  // namespace
}  // namespace tuneq
