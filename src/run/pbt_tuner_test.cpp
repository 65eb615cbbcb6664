// PBT through the real tuner loop and the in-process executor: exploit restores a copy of the
// source's checkpoint with the explored config, synchronous mode waits for the slowest trial,
// retention never discards a checkpoint still needed, and a winning schedule replays as one
// trial. Trials run on threads: suites are named TunerPbt so the TSan job runs them.
#include <cstdio>
#include <map>
#include <mutex>
#include <set>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tuneq/clock.hpp"
#include "tuneq/error.hpp"
#include "tuneq/inprocess.hpp"
#include "tuneq/pbt.hpp"
#include "tuneq/scheduler.hpp"
#include "tuneq/searcher.hpp"
#include "tuneq/tuner.hpp"

namespace tuneq {
namespace {

class VectorSink final : public EventSink {
 public:
  void append(const Event& event) override { events.push_back(event); }
  std::vector<Event> of(Event::Kind kind) const {
    std::vector<Event> out;
    for (const Event& e : events) {
      if (e.kind == kind) out.push_back(e);
    }
    return out;
  }
  std::vector<Event> events;
};

// score = iter + a, where `a` starts as the config's "a" and afterwards lives only in the
// checkpoint: a trial that clones another's checkpoint takes over its offset. Checkpoints at
// every report.
Trainable offset_trainable(int iterations) {
  return [iterations](TrialContext& ctx) {
    int iter = 0;
    double a = ctx.config().at("a").as_float();
    if (const std::optional<std::string> bytes = ctx.restore()) {
      if (std::sscanf(bytes->c_str(), "%d %lf", &iter, &a) != 2) throw Error::Corruption(*bytes);
    }
    while (iter < iterations) {
      ++iter;
      ctx.save_checkpoint(fmt::format("{} {}", iter, a));
      const Action action =
          ctx.report({{"iter", static_cast<double>(iter)}, {"score", iter + a}, {"a", a}});
      if (action != Action::kContinue) return;
    }
  };
}

TunerOptions options(std::uint64_t trials) {
  TunerOptions o;
  o.metric = "score";
  o.mode = Mode::kMax;
  o.resource_attr = "iter";
  o.pool.cpu = 2;
  o.budget.max_trials = trials;
  return o;
}

std::unique_ptr<Searcher> offsets(std::vector<Value> a) {
  Space space;
  space.add("a", Domain::Grid(std::move(a)));
  space.add("lr", Domain::Uniform(0.01, 0.1));
  return make_grid_search(space, {3, 1});
}

PbtOptions pbt(double interval, bool synch) {
  PbtOptions o;
  o.mode = Mode::kMax;
  o.perturbation_interval = interval;
  o.synch = synch;
  o.resample_probability = 0.25;
  o.hyperparam_mutations = {{"lr", Mutation::Resample(Domain::Uniform(0.001, 1))}};
  o.seed = 5;
  return o;
}

// The issue's synchronous example: 3 trials, score = iteration + a with a in {10, 20, 40},
// interval 1 (k = ceil(3 * 0.25) = 1). Iteration 1 ranks 11 < 21 < 41: the a = 10 trial clones
// the a = 40 one; iteration 2 ranks 22 < 42 = 42: the a = 20 trial clones an a = 40 state; from
// then on every trial carries a = 40 and ends at 10 + 40 = 50.
TEST(TunerPbt, SynchronousPopulationAllEndWithTheBestTrialsScore) {
  std::unique_ptr<Clock> clock = make_system_clock();
  auto executor = make_inprocess_executor(offset_trainable(10), 2, clock.get());
  VectorSink sink;
  Tuner tuner(options(3), offsets({10.0, 20.0, 40.0}), make_pbt(pbt(1, true)), *executor, *clock,
              &sink);
  const TuneResult result = tuner.run();
  ASSERT_EQ(result.trials.size(), 3U);
  for (const TrialRecord& t : result.trials) {
    EXPECT_EQ(t.status, TrialStatus::kCompleted) << t.id;
    EXPECT_EQ(t.last_value, 50) << t.id;
    EXPECT_EQ(t.resource, 10) << t.id;
  }
  const std::vector<Event> exploits = sink.of(Event::Kind::kExploit);
  ASSERT_GE(exploits.size(), 2U);
  // Synchronous: no trial reports iteration i + 1 before every trial reported iteration i.
  std::map<TrialId, double> reached;
  for (const Event& e : sink.events) {
    if (e.kind == Event::Kind::kExploit) {
      reached[e.trial] = nlohmann::json::parse(e.data).at("resource").get<double>();
    }
    if (e.kind != Event::Kind::kResult) continue;
    const double iter = nlohmann::json::parse(e.data).at("resource").get<double>();
    for (TrialId other = 0; other < 3; ++other) {
      if (other != e.trial) {
        EXPECT_GE(reached[other], iter - 1) << "seq " << e.seq;
      }
    }
    reached[e.trial] = iter;
  }
}

// Forwards to the in-process executor and checks that nothing discarded is ever restored.
class RetentionChecker final : public Executor {
 public:
  explicit RetentionChecker(std::unique_ptr<Executor> inner) : inner_(std::move(inner)) {}
  void launch(const LaunchRequest& request) override {
    if (request.restore) {
      EXPECT_FALSE(discarded.contains(*request.restore)) << "restored " << *request.restore;
      if (request.restore->rfind(fmt::format("mem:{}:", request.trial), 0) != 0) ++foreign;
    }
    inner_->launch(request);
  }
  void reply(TrialId trial, Action action) override { inner_->reply(trial, action); }
  void cancel(TrialId trial) override { inner_->cancel(trial); }
  std::optional<ExecutorEvent> next_event(double deadline) override {
    return inner_->next_event(deadline);
  }
  void discard_checkpoint(TrialId owner, const std::string& checkpoint) override {
    EXPECT_TRUE(discarded.insert(checkpoint).second) << "discarded twice: " << checkpoint;
    inner_->discard_checkpoint(owner, checkpoint);
  }
  std::set<std::string> discarded;
  int foreign = 0;  // launches restoring another trial's checkpoint

 private:
  std::unique_ptr<Executor> inner_;
};

// Asynchronous PBT, 4 trials on 2 slots, keep 1 checkpoint per trial. Each exploit's trial goes
// on from the cloned checkpoint: its next report is at the cloned resource + 1 with the source's
// offset, and its explored config is the one it ends with.
TEST(TunerPbt, AsynchronousExploitContinuesFromTheClonedCheckpoint) {
  std::unique_ptr<Clock> clock = make_system_clock();
  RetentionChecker executor(make_inprocess_executor(offset_trainable(12), 2, clock.get()));
  VectorSink sink;
  TunerOptions o = options(4);
  o.checkpoint_keep = 1;
  Tuner tuner(o, offsets({0.0, 10.0, 20.0, 30.0}), make_pbt(pbt(2, false)), executor, *clock,
              &sink);
  const TuneResult result = tuner.run();
  ASSERT_EQ(result.trials.size(), 4U);

  std::map<TrialId, double> offset;  // each trial's current a, followed through the log
  std::map<TrialId, double> expect_next;
  std::map<TrialId, Config> config;
  std::map<TrialId, double> cloned_at;  // resource of each trial's latest exploit
  int exploits = 0;
  for (const Event& e : sink.events) {
    const nlohmann::json j = nlohmann::json::parse(e.data);
    if (e.kind == Event::Kind::kTrialAdded) {
      offset[e.trial] = j.at("config").at("a").get<double>();
      config[e.trial] = config_from_json(j.at("config").dump());
    } else if (e.kind == Event::Kind::kExploit) {
      ++exploits;
      const auto source = j.at("source").get<TrialId>();
      EXPECT_NE(source, e.trial);
      EXPECT_EQ(config_from_json(j.at("old_config").dump()), config[e.trial]);
      config[e.trial] = config_from_json(j.at("config").dump());
      EXPECT_EQ(config[e.trial].at("a"), config[source].at("a")) << "a is not mutated";
      offset[e.trial] = offset[source];
      expect_next[e.trial] = j.at("resource").get<double>() + 1;
      cloned_at[e.trial] = j.at("resource").get<double>();
    } else if (e.kind == Event::Kind::kResult) {
      const double iter = j.at("resource").get<double>();
      if (expect_next.contains(e.trial)) {
        EXPECT_EQ(iter, expect_next[e.trial]) << "seq " << e.seq;
        expect_next.erase(e.trial);
      }
      EXPECT_EQ(j.at("metrics").at("score").get<double>(), iter + offset[e.trial])
          << "seq " << e.seq;
    }
  }
  EXPECT_GT(exploits, 0);
  EXPECT_EQ(executor.foreign, exploits);
  EXPECT_FALSE(executor.discarded.empty());
  for (const TrialRecord& t : result.trials) {
    EXPECT_EQ(t.config, config[t.id]) << "explored config kept, trial " << t.id;
    EXPECT_EQ(t.status, TrialStatus::kCompleted) << t.id;
    // Every trial trains to 12, except one whose latest exploit cloned a checkpoint at 12 (its
    // source reported its last step before the clone got a slot): it completes at once, with
    // nothing left to train, and its own last report stays its largest resource.
    if (!(cloned_at.contains(t.id) && cloned_at[t.id] == 12)) {
      EXPECT_EQ(t.resource, 12) << t.id;
    }
    EXPECT_EQ(t.exploits,
              std::count_if(sink.events.begin(), sink.events.end(), [&](const Event& e) {
                return e.kind == Event::Kind::kExploit && e.trial == t.id;
              }));
  }
  // Lineage: each trial's schedule ends with its final config.
  const std::map<TrialId, ConfigSchedule> schedules = config_schedules(sink.events);
  for (const TrialRecord& t : result.trials) {
    ASSERT_TRUE(schedules.contains(t.id));
    EXPECT_EQ(schedules.at(t.id).back().config, t.config);
    EXPECT_EQ(schedules.at(t.id).front().resource, 0);
  }
}

TEST(Lineage, ExploitCutsTheSourceScheduleAtTheClonedResource) {
  auto event = [](std::uint64_t seq, Event::Kind kind, TrialId trial, std::string data) {
    return Event{seq, 0, kind, trial, std::move(data)};
  };
  const std::vector<Event> log = {
      event(0, Event::Kind::kTrialAdded, 0, R"({"config":{"lr":0.1}})"),
      event(1, Event::Kind::kTrialAdded, 1, R"({"config":{"lr":0.2}})"),
      event(2, Event::Kind::kTrialAdded, 2, R"({"config":{"lr":0.3}})"),
      // 1 clones 0 at 4: 0's schedule before 4, then lr 0.12 from 4.
      event(
          3, Event::Kind::kExploit, 1,
          R"({"source":0,"checkpoint":"c","resource":4.0,"old_config":{"lr":0.2},"config":{"lr":0.12}})"),
      // 2 clones 1 at 6: 1's schedule (0.1 from 0, 0.12 from 4), then 0.096 from 6.
      event(
          4, Event::Kind::kExploit, 2,
          R"({"source":1,"checkpoint":"d","resource":6.0,"old_config":{"lr":0.3},"config":{"lr":0.096}})"),
      // 1 clones 2 at 5 (2's step at 6 is later than 5, so it is cut).
      event(
          5, Event::Kind::kExploit, 1,
          R"({"source":2,"checkpoint":"e","resource":5.0,"old_config":{"lr":0.12},"config":{"lr":0.5}})"),
  };
  const auto schedules = config_schedules(log);
  const ConfigSchedule two = {{0, {{"lr", 0.1}}, std::nullopt},
                              {4, {{"lr", 0.12}}, TrialId{0}},
                              {6, {{"lr", 0.096}}, TrialId{1}}};
  EXPECT_EQ(schedules.at(2), two);
  const ConfigSchedule one = {{0, {{"lr", 0.1}}, std::nullopt},
                              {4, {{"lr", 0.12}}, TrialId{0}},
                              {5, {{"lr", 0.5}}, TrialId{2}}};
  EXPECT_EQ(schedules.at(1), one);
  EXPECT_EQ(schedules.at(0), (ConfigSchedule{{0, {{"lr", 0.1}}, std::nullopt}}));
}

// A schedule replayed as one trial: the trainable sums its config's lr once per step and keeps
// the sum in its checkpoint. lr 1 for steps 1..3, lr 2 from resource 3 (steps 4..6): 3 + 6 = 9.
TEST(TunerPbt, ReplayScheduleRunsOneTrialUnderEachStepsConfig) {
  Trainable summing = [](TrialContext& ctx) {
    int step = 0;
    double sum = 0;
    if (const auto bytes = ctx.restore()) std::sscanf(bytes->c_str(), "%d %lf", &step, &sum);
    while (step < 6) {
      ++step;
      sum += ctx.config().at("lr").as_float();
      ctx.save_checkpoint(fmt::format("{} {}", step, sum));
      if (ctx.report({{"step", static_cast<double>(step)}, {"sum", sum}}) != Action::kContinue) {
        return;
      }
    }
  };
  TunerOptions o;
  o.metric = "sum";
  o.mode = Mode::kMax;
  o.resource_attr = "step";
  const ConfigSchedule schedule = {{0, {{"lr", 1.0}}, std::nullopt}, {3, {{"lr", 2.0}}, 7}};
  const TuneResult result = replay_schedule(schedule, summing, o);
  ASSERT_EQ(result.trials.size(), 1U);
  EXPECT_EQ(result.trials[0].last_value, 9);
  EXPECT_EQ(result.trials[0].resource, 6);
  EXPECT_EQ(result.trials[0].config, (Config{{"lr", 2.0}}));
  EXPECT_EQ(result.trials[0].status, TrialStatus::kCompleted);
}

TEST(TunerPbt, ScheduleFollowerRejectsStepsOutOfOrder) {
  try {
    make_schedule_follower({{0, {}, std::nullopt}, {5, {}, 1}, {5, {}, 2}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "schedule follower: step 2 starts at resource 5, not after step 1 (5)");
  }
  EXPECT_THROW(make_schedule_follower({}), Error);
}

}  // namespace
}  // namespace tuneq
