#include "store/export.hpp"

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

TEST(Export, JsonHasEveryTrialWithResultsDecisionsAndFailures) {
  Log log;
  // Trial 1 is added first: the export still lists trials by id.
  log.add(Kind::kTrialAdded, 1, R"({"config":{"opt":"sgd"}})")
      .add(Kind::kTrialAdded, 0, R"({"config":{"lr":0.1,"units":64}})")
      .add(Kind::kResult, 0, R"({"resource":1.0,"metrics":{"loss":0.5,"acc":null}})", 2.5)
      .add(Kind::kCheckpoint, 0, R"({"checkpoint":"ckpt-1","resource":1.0})")
      .add(Kind::kDecision, 0, R"({"action":"stop","resource":1.0,"reason":"below cutoff"})")
      .add(Kind::kFinished, 0, R"({"status":"stopped"})")
      .add(Kind::kFailed, 1, R"({"exit_code":2,"error":"bad \"x\"","attempt":1,"final":true})");
  EXPECT_EQ(export_json(fold(log.events)), R"([
  {
    "id": 0,
    "config": {
      "lr": 0.1,
      "units": 64
    },
    "status": "stopped",
    "results": [
      {
        "resource": 1.0,
        "acc": null,
        "loss": 0.5,
        "time": 2.5
      }
    ],
    "decisions": [
      {
        "action": "stop",
        "resource": 1.0,
        "reason": "below cutoff"
      }
    ],
    "checkpoint": "ckpt-1",
    "failures": 0,
    "error": "",
    "schedule": [
      {
        "resource": 0.0,
        "config": {
          "lr": 0.1,
          "units": 64
        },
        "cloned_from": null
      }
    ]
  },
  {
    "id": 1,
    "config": {
      "opt": "sgd"
    },
    "status": "failed",
    "results": [],
    "decisions": [],
    "checkpoint": null,
    "failures": 1,
    "error": "bad \"x\"",
    "schedule": [
      {
        "resource": 0.0,
        "config": {
          "opt": "sgd"
        },
        "cloned_from": null
      }
    ]
  }
]
)");
}

// Trial 1 (lr 0.5) clones trial 0's checkpoint at resource 4 and goes on with lr 0.12.
Log exploited_log() {
  Log log;
  log.add(Kind::kTrialAdded, 0, R"({"config":{"lr":0.1}})")
      .add(Kind::kTrialAdded, 1, R"({"config":{"lr":0.5}})")
      .add(Kind::kCheckpoint, 0, R"({"checkpoint":"/x/0/ckpt-4","resource":4.0})")
      .add(
          Kind::kExploit, 1,
          R"({"source":0,"checkpoint":"/x/0/ckpt-4","resource":4.0,"old_config":{"lr":0.5},"config":{"lr":0.12}})");
  return log;
}

TEST(Export, JsonShowsTheConfigScheduleOfAnExploitedTrial) {
  const Log log = exploited_log();
  const TrialTable table = fold(log.events);
  const TrialRow& t = *table.find(1);
  EXPECT_EQ(t.config, (Config{{"lr", 0.12}}));  // the explored config, not the original
  EXPECT_EQ(t.checkpoint, "/x/0/ckpt-4");
  EXPECT_EQ(t.exploits, 1);
  const std::string json = export_json(table);
  EXPECT_NE(json.find(R"("schedule": [
      {
        "resource": 0.0,
        "config": {
          "lr": 0.1
        },
        "cloned_from": null
      },
      {
        "resource": 4.0,
        "config": {
          "lr": 0.12
        },
        "cloned_from": 0
      }
    ])"),
            std::string::npos)
      << json;
}

// The CSV gets a schedule column once a trial's config changed; the config columns show the
// config each trial ended with. A schedule is the lineage of the weights: trial 1's first 4
// steps are trial 0's, trained with lr 0.1, whose checkpoint it cloned.
TEST(Export, CsvShowsTheConfigScheduleWhenATrialWasExploited) {
  const Log log = exploited_log();
  EXPECT_EQ(export_csv(fold(log.events), "loss", Mode::kMin),
            "id,status,config/lr,resource,last_loss,best_loss,num_results,schedule\n"
            "0,pending,0.1,,,,0,0: lr=0.1\n"
            "1,pending,0.12,,,,0,0: lr=0.1; 4 from trial 0: lr=0.12\n");
}

TEST(Export, AnExploitFromAnUnknownTrialIsCorruption) {
  Log log;
  log.add(Kind::kTrialAdded, 0, R"({"config":{"lr":0.1}})")
      .add(Kind::kExploit, 0,
           R"({"source":7,"checkpoint":"c","resource":4.0,"old_config":{},"config":{}})");
  try {
    fold(log.events);
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "event seq 1 (exploit of trial 0): \"source\" is not a trial added before");
  }
}

TEST(Export, JsonOfNoTrialsIsAnEmptyArray) {
  EXPECT_EQ(export_json(fold({})), "[]\n");
}

TEST(Export, JsonMetricsNamedLikeResultKeysArePrefixed) {
  Log log;
  log.add(Kind::kTrialAdded, 0, R"({"config":{}})")
      .add(Kind::kResult, 0, R"({"resource":3,"metrics":{"time":9.5,"resource":7}})", 1.25);
  const std::string json = export_json(fold(log.events));
  EXPECT_NE(json.find(R"("resource": 3.0,)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("metric/resource": 7.0,)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("metric/time": 9.5,)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("time": 1.25)"), std::string::npos) << json;
}

TEST(Export, CsvHasOneRowPerTrialWithTheUnionOfConfigKeys) {
  Log log;
  log.add(Kind::kTrialAdded, 0, R"({"config":{"lr":0.1,"units":64}})")
      .add(Kind::kTrialAdded, 1, R"({"config":{"lr":0.01,"opt":"adam"}})")
      .add(Kind::kTrialAdded, 2, R"({"config":{"lr":0.5}})")
      .add(Kind::kResult, 0, R"({"resource":1,"metrics":{"loss":0.5}})")
      .add(Kind::kResult, 0, R"({"resource":2,"metrics":{"loss":0.7}})")
      .add(Kind::kResult, 1, R"({"resource":1,"metrics":{"loss":null}})")
      .add(Kind::kStarted, 2, R"({"cpu":1,"gpus":[],"restore":null})");
  // Trial 0: reached 2, last 0.7, best (min) 0.5. Trial 1: one NaN. Trial 2: no results.
  EXPECT_EQ(export_csv(fold(log.events), "loss", Mode::kMin),
            "id,status,config/lr,config/opt,config/units,resource,last_loss,best_loss,num_results\n"
            "0,pending,0.1,,64,2,0.7,0.5,2\n"
            "1,pending,0.01,adam,,1,nan,nan,1\n"
            "2,running,0.5,,,,,,0\n");
  // In max mode trial 0's best is its 0.7.
  const std::string max_csv = export_csv(fold(log.events), "loss", Mode::kMax);
  EXPECT_NE(max_csv.find("\n0,pending,0.1,,64,2,0.7,0.7,2\n"), std::string::npos) << max_csv;
}

TEST(Export, CsvQuotesFieldsWithCommasQuotesAndLineBreaks) {
  Log log;
  log.add(Kind::kTrialAdded, 0,
          R"({"config":{"a,b":"plain","layers":"64,32","name":"say \"hi\"","note":"x\ny"}})");
  EXPECT_EQ(export_csv(fold(log.events), "loss", Mode::kMin),
            "id,status,\"config/a,b\",config/layers,config/name,config/note,resource,last_loss,"
            "best_loss,num_results\n"
            "0,pending,plain,\"64,32\",\"say \"\"hi\"\"\",\"x\ny\",,,,0\n");
}

}  // namespace
}  // namespace tuneq::store
