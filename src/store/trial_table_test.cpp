#include "store/trial_table.hpp"

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "store/test_event_log.hpp"
#include "tuneq/error.hpp"

namespace tuneq::store {
namespace {

using Kind = Event::Kind;

using test_util::Log;

constexpr const char* kStarted = R"({"cpu":1,"gpus":[],"restore":null})";

TEST(TrialTable, StatusFollowsTheLifecycleEvents) {
  struct Case {
    const char* name;
    std::vector<std::pair<Kind, std::string>> events;  // after trial 0's trial_added
    std::string status;
  };
  const std::string failed_retry = R"({"exit_code":1,"error":"x","attempt":1,"final":false})";
  const std::string failed_final = R"({"exit_code":1,"error":"x","attempt":2,"final":true})";
  const std::string failed_old = R"({"exit_code":1,"error":"x","attempt":1})";
  const Case cases[] = {
      {"added only", {}, "pending"},
      {"started", {{Kind::kStarted, kStarted}}, "running"},
      {"paused", {{Kind::kStarted, kStarted}, {Kind::kPaused, "{}"}}, "paused"},
      {"resumed",
       {{Kind::kStarted, kStarted}, {Kind::kPaused, "{}"}, {Kind::kResumed, R"({"restore":"c"})"}},
       "running"},
      {"completed",
       {{Kind::kStarted, kStarted}, {Kind::kFinished, R"({"status":"completed"})"}},
       "completed"},
      {"stopped",
       {{Kind::kStarted, kStarted}, {Kind::kFinished, R"({"status":"stopped"})"}},
       "stopped"},
      {"failure to retry", {{Kind::kStarted, kStarted}, {Kind::kFailed, failed_retry}}, "pending"},
      {"retried",
       {{Kind::kStarted, kStarted}, {Kind::kFailed, failed_retry}, {Kind::kStarted, kStarted}},
       "running"},
      {"final failure",
       {{Kind::kStarted, kStarted},
        {Kind::kFailed, failed_retry},
        {Kind::kStarted, kStarted},
        {Kind::kFailed, failed_final}},
       "failed"},
      {"failure without \"final\"",
       {{Kind::kStarted, kStarted}, {Kind::kFailed, failed_old}},
       "failed"},
  };
  for (const Case& c : cases) {
    Log log;
    log.trial(0);
    for (const auto& [kind, data] : c.events) log.add(kind, 0, data);
    const TrialTable table = fold(log.events);
    ASSERT_EQ(table.size(), 1u) << c.name;
    EXPECT_EQ(table.find(0)->status, c.status) << c.name;
  }
}

TEST(TrialTable, KeepsConfigResultsDecisionsCheckpointAndTimes) {
  Log log;
  log.add(Kind::kTrialAdded, 4, R"({"config":{"bn":true,"layers":3,"lr":0.1,"opt":"adam"}})", 0.5)
      .add(Kind::kStarted, 4, kStarted, 1.0)
      .result(4, R"({"loss":0.5,"acc":null})", 1, 2.0)
      .add(Kind::kCheckpoint, 4, R"({"checkpoint":"ckpt-1","resource":1})", 2.0)
      .add(Kind::kDecision, 4, R"({"action":"pause","resource":1,"reason":"rung 1"})", 2.0)
      .add(Kind::kPaused, 4, "{}", 2.5)
      .add(Kind::kStarted, 4, R"({"cpu":1,"gpus":[0],"restore":"ckpt-1"})", 3.0)
      .result(4, R"({"loss":0.25})", 2, 3.5)
      .add(Kind::kDecision, 4, R"({"action":"stop","resource":2,"reason":"below cutoff"})", 3.5)
      .add(Kind::kFinished, 4, R"({"status":"stopped"})", 4.0);
  const TrialTable table = fold(log.events);
  const TrialRow* trial = table.find(4);
  ASSERT_NE(trial, nullptr);
  EXPECT_EQ(table.find(0), nullptr);
  EXPECT_EQ(trial->id, 4u);
  EXPECT_EQ(trial->config, (Config{{"bn", true}, {"layers", 3}, {"lr", 0.1}, {"opt", "adam"}}));
  EXPECT_EQ(trial->status, "stopped");
  ASSERT_EQ(trial->results.size(), 2u);
  EXPECT_EQ(trial->results[0].seq, 2u);
  EXPECT_EQ(trial->results[0].time, 2.0);
  EXPECT_EQ(trial->results[0].resource, 1.0);
  EXPECT_EQ(trial->results[0].metrics.at("loss"), 0.5);
  EXPECT_TRUE(std::isnan(trial->results[0].metrics.at("acc")));  // null = a NaN was reported
  EXPECT_EQ(trial->results[1].seq, 7u);
  EXPECT_EQ(trial->results[1].metrics, (Metrics{{"loss", 0.25}}));
  ASSERT_EQ(trial->decisions.size(), 2u);
  EXPECT_EQ(trial->decisions[0].seq, 4u);
  EXPECT_EQ(trial->decisions[0].action, "pause");
  EXPECT_EQ(trial->decisions[0].reason, "rung 1");
  EXPECT_EQ(trial->decisions[1].action, "stop");
  EXPECT_EQ(trial->decisions[1].resource, 2.0);
  EXPECT_EQ(trial->decisions[1].reason, "below cutoff");
  EXPECT_EQ(trial->checkpoint, "ckpt-1");
  EXPECT_EQ(trial->started_at, 1.0);  // the first start, not the restart at 3.0
  EXPECT_EQ(trial->ended_at, 4.0);
  EXPECT_EQ(trial->failures, 0);
  EXPECT_EQ(trial->resource_reached(), 2.0);
  EXPECT_EQ(trial->last_value("loss"), 0.25);
  EXPECT_TRUE(std::isnan(*trial->last_value("acc")));  // latest result that has it
  EXPECT_EQ(trial->last_value("missing"), std::nullopt);
  EXPECT_EQ(trial->best_result("loss", Mode::kMin), 1u);
  EXPECT_EQ(trial->best_result("loss", Mode::kMax), 0u);
}

TEST(TrialTable, FailuresKeepTheLatestAttemptErrorAndExitCode) {
  Log log;
  log.trial(0)
      .add(Kind::kStarted, 0, kStarted, 1)
      .add(Kind::kFailed, 0, R"({"exit_code":137,"error":"killed","attempt":1,"final":false})", 2)
      .add(Kind::kStarted, 0, kStarted, 3)
      .add(Kind::kFailed, 0, R"({"exit_code":1,"error":"nan loss","attempt":2,"final":true})", 5);
  const TrialTable table = fold(log.events);
  const TrialRow& trial = *table.find(0);
  EXPECT_EQ(trial.status, "failed");
  EXPECT_EQ(trial.failures, 2);
  EXPECT_EQ(trial.error, "nan loss");
  EXPECT_EQ(trial.exit_code, 1);
  EXPECT_EQ(trial.started_at, 1.0);
  EXPECT_EQ(trial.ended_at, 5.0);
}

TEST(TrialTable, NeverStartedOrUnfinishedTrialsHaveNanTimes) {
  Log log;
  log.trial(0).trial(1).add(Kind::kStarted, 1, kStarted, 2);
  const TrialTable table = fold(log.events);
  EXPECT_TRUE(std::isnan(table.find(0)->started_at));
  EXPECT_EQ(table.find(1)->started_at, 2.0);
  EXPECT_TRUE(std::isnan(table.find(1)->ended_at));
}

TEST(TrialTable, BestRanksNanLastAndGivesTiesToTheEarlierResult) {
  Log log;
  log.trial(0)
      .trial(1)
      .trial(2)
      .trial(3)
      .result(0, R"({"loss":0.5})")   // seq 4
      .result(1, R"({"loss":0.3})")   // seq 5: ties with seq 6 and came first
      .result(0, R"({"loss":0.3})")   // seq 6
      .result(1, R"({"loss":null})")  // seq 7: NaN
      .result(2, R"({"loss":null})")  // seq 8: NaN only
      .result(3, R"({"acc":0.9})");   // seq 9: no loss at all
  const TrialTable table = fold(log.events);
  struct Case {
    std::string metric;
    Mode mode;
    TrialId trial;
    std::uint64_t seq;
    double value;
  };
  const Case cases[] = {
      {"loss", Mode::kMin, 1, 5, 0.3},  // not trial 0's equal 0.3 at seq 6
      {"loss", Mode::kMax, 0, 4, 0.5},  // NaN is last in max mode too
      {"acc", Mode::kMax, 3, 9, 0.9},
      {"acc", Mode::kMin, 3, 9, 0.9},
  };
  for (const Case& c : cases) {
    const auto best = table.best(c.metric, c.mode);
    ASSERT_TRUE(best.has_value()) << c.metric;
    EXPECT_EQ(best->trial->id, c.trial) << c.metric;
    EXPECT_EQ(best->result->seq, c.seq) << c.metric;
    EXPECT_EQ(best->value, c.value) << c.metric;
  }
  EXPECT_FALSE(table.best("missing", Mode::kMin).has_value());
}

TEST(TrialTable, BestOfOnlyNanResultsIsTheFirstOfThem) {
  Log log;
  log.trial(0).trial(1).result(1, R"({"loss":null})").result(0, R"({"loss":null})");
  const TrialTable table = fold(log.events);
  const auto best = table.best("loss", Mode::kMin);
  ASSERT_TRUE(best.has_value());
  EXPECT_EQ(best->trial->id, 1u);
  EXPECT_TRUE(std::isnan(best->value));
}

TEST(TrialTable, CountsTrialsByStatus) {
  Log log;
  log.trial(0)
      .trial(1)
      .trial(2)
      .trial(3)
      .add(Kind::kStarted, 0, kStarted)
      .add(Kind::kStarted, 1, kStarted)
      .add(Kind::kFinished, 1, R"({"status":"completed"})")
      .add(Kind::kStarted, 2, kStarted)
      .add(Kind::kFinished, 2, R"({"status":"completed"})");
  EXPECT_EQ(fold(log.events).counts_by_status(),
            (std::map<std::string, std::size_t>{{"completed", 2}, {"pending", 1}, {"running", 1}}));
  EXPECT_TRUE(fold({}).counts_by_status().empty());
}

TEST(TrialTable, NoMoreTrialsIsAboutTheExperimentAndChangesNoTrial) {
  Log log;
  log.trial(0)
      .add(Kind::kNoMoreTrials, 0, R"({"reason":"searcher exhausted"})")
      .add(Kind::kStarted, 0, kStarted, 1);
  const TrialTable table = fold(log.events);
  ASSERT_EQ(table.size(), 1u);
  EXPECT_EQ(table.find(0)->status, "running");
  EXPECT_TRUE(table.find(0)->results.empty());
  EXPECT_TRUE(table.find(0)->decisions.empty());
}

TEST(TrialTable, MalformedEventsAreCorruptionNamingTheSeq) {
  struct Case {
    Kind kind;
    TrialId trial;
    std::string data;
    std::string complaint;  // part of the message after "event seq 1 (...): "
  };
  const Case cases[] = {
      {Kind::kResult, 0, "not json", "data is not JSON"},
      {Kind::kResult, 0, "[1,2]", "data is not a JSON object"},
      {Kind::kResult, 0, R"({"resource":1})", "missing key \"metrics\""},
      {Kind::kResult, 0, R"({"resource":"one","metrics":{}})", "\"resource\" is not a number"},
      {Kind::kResult, 0, R"({"resource":1,"metrics":{"loss":"low"}})", "\"loss\" is not a number"},
      {Kind::kResult, 0, R"({"resource":1,"metrics":[]})", "\"metrics\" is not an object"},
      {Kind::kStarted, 0, R"({"cpu":1,"restore":null})", "missing key \"gpus\""},
      {Kind::kDecision, 0, R"({"action":"stop","resource":1})", "missing key \"reason\""},
      {Kind::kCheckpoint, 0, R"({"checkpoint":3,"resource":1})", "\"checkpoint\" is not a string"},
      {Kind::kFinished, 0, R"({"status":"exploded"})", "not completed or stopped"},
      {Kind::kFailed, 0, R"({"exit_code":1.5,"error":"","attempt":1})",
       "\"exit_code\" is not an integer"},
      {Kind::kFailed, 0, R"({"exit_code":1,"error":"","attempt":1,"final":"yes"})",
       "\"final\" is not a boolean"},
      {Kind::kTrialAdded, 1, R"({"config":{"lr":null}})", "bad config"},
      {Kind::kTrialAdded, 1, R"({"config":[]})", "bad config"},
      {Kind::kTrialAdded, 0, R"({"config":{}})", "already added"},
      {Kind::kPaused, 5, "{}", "no trial_added"},
  };
  for (const Case& c : cases) {
    Log log;
    log.trial(0).add(c.kind, c.trial, c.data);
    try {
      fold(log.events);
      ADD_FAILURE() << "no error for " << c.data;
    } catch (const Error& e) {
      EXPECT_TRUE(e.IsCorruption()) << e.what();
      const std::string message = e.what();
      const std::string where = std::string("event seq 1 (") + to_string(c.kind) + " of trial " +
                                std::to_string(c.trial) + "): ";
      EXPECT_EQ(message.rfind(where, 0), 0u) << message;
      EXPECT_NE(message.find(c.complaint), std::string::npos) << message;
    }
  }
}

}  // namespace
}  // namespace tuneq::store
