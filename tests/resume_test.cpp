// Exact resume for every scheduler: a simulated experiment is cut at several points of its
// event log, resumed from each prefix with fresh searcher, scheduler and executor, and must end
// with the same trial table as the uninterrupted run. One worker, so that the uninterrupted run
// has one possible order (a restarted trial costs virtual time again, which with several
// workers would reorder reports, as real time does).
#include <algorithm>
#include <functional>

#include <gtest/gtest.h>

#include "experiment_fixture.hpp"
#include "tuneq/error.hpp"

namespace tuneq {
namespace {

using experiment::demo_space;
using experiment::demo_trial;
using experiment::VectorSink;

struct Case {
  const char* name;
  std::function<std::unique_ptr<Scheduler>()> make;
};

// Exploits restart trials from other trials' checkpoints with explored configs: resume must
// re-derive each one and keep the explored configs.
PbtOptions pbt_options(bool synch) {
  PbtOptions o;
  o.mode = Mode::kMin;
  o.perturbation_interval = 3;
  o.synch = synch;
  o.quantile_fraction = 0.5;
  o.seed = 3;
  o.hyperparam_mutations = {{"lr", Mutation::Resample(Domain::LogUniform(1e-4, 1e-1))},
                            {"optimizer", Mutation::List({"adam", "sgd"})}};
  return o;
}

// PB2 over the same space: the GP bandit picks lr, dropout and the int width within bounds;
// resume must rebuild the explorer's clone starts and pending batch by replaying the exploits.
Pb2Options pb2_options(bool synch) {
  Pb2Options o;
  o.mode = Mode::kMin;
  o.perturbation_interval = 3;
  o.synch = synch;
  o.quantile_fraction = 0.5;
  o.seed = 3;
  o.hyperparam_bounds = {{"lr", {1e-4, 1e-1}}, {"dropout", {0, 0.5}}, {"width", {16, 256}}};
  return o;
}

std::vector<Case> cases() {
  const AshaOptions asha{Mode::kMin, 9, 1, 3, 1, true};
  AshaOptions async_hb = asha;
  async_hb.brackets = 2;
  return {
      {"fifo", [] { return make_fifo_scheduler(); }},
      {"asha stopping", [=] { return make_asha_stopping(asha); }},
      {"asha promotion", [=] { return make_asha_promotion(asha); }},
      {"async hyperband", [=] { return make_asha_promotion(async_hb); }},
      {"hyperband",
       [] {
         return make_hyperband({Mode::kMin, 9, 3});
       }},
      {"median",
       [] {
         return make_median_stopping({Mode::kMin, 2, 2, 0, true});
       }},
      {"pbt", [] { return make_pbt(pbt_options(false)); }},
      {"pbt synch", [] { return make_pbt(pbt_options(true)); }},
      {"pb2", [] { return make_pb2(pb2_options(false)); }},
      {"pb2 synch", [] { return make_pb2(pb2_options(true)); }},
  };
}

constexpr std::uint64_t kSeed = 5;
constexpr std::uint64_t kTrials = 24;
constexpr std::uint64_t kSteps = 9;

TunerOptions options() {
  TunerOptions o;
  o.metric = "loss";
  o.mode = Mode::kMin;
  o.pool.cpu = 1;
  return o;
}

TuneResult run(const Case& c, VectorSink& sink, const std::vector<Event>* history) {
  ManualClock clock;
  auto executor = make_simulated_executor(demo_trial(kSteps), clock);
  Tuner tuner(options(), make_random_search(demo_space(), {kSeed, kTrials}), c.make(), *executor,
              clock, &sink);
  return history ? tuner.resume(*history) : tuner.run();
}

void expect_same_trials(const TuneResult& a, const TuneResult& b, const std::string& where) {
  ASSERT_EQ(a.trials.size(), b.trials.size()) << where;
  for (std::size_t i = 0; i < a.trials.size(); ++i) {
    const TrialRecord& x = a.trials[i];
    const TrialRecord& y = b.trials[i];
    EXPECT_EQ(x.config, y.config) << where << " trial " << i;
    EXPECT_EQ(x.status, y.status) << where << " trial " << i;
    EXPECT_EQ(x.num_results, y.num_results) << where << " trial " << i;
    EXPECT_EQ(x.resource, y.resource) << where << " trial " << i;
    EXPECT_EQ(x.best_value, y.best_value) << where << " trial " << i;
  }
  EXPECT_EQ(a.best, b.best) << where;
}

TEST(Resume, EverySchedulerResumedFromAnyPrefixEndsLikeTheUninterruptedRun) {
  for (const Case& c : cases()) {
    VectorSink full_sink;
    const TuneResult full = run(c, full_sink, nullptr);
    const std::vector<Event>& log = full_sink.events;
    ASSERT_GT(log.size(), 20u) << c.name;
    if (std::string(c.name).rfind("pb", 0) == 0) {  // pbt, pb2: cuts fall around exploits too
      ASSERT_GT(std::count_if(log.begin(), log.end(),
                              [](const Event& e) { return e.kind == Event::Kind::kExploit; }),
                5)
          << c.name;
    }
    // About 30 cut points spread over the whole log, the first and the last event included.
    const std::size_t stride = std::max<std::size_t>(1, log.size() / 30);
    for (std::size_t cut = 1; cut < log.size(); cut += stride) {
      // A report's result and checkpoint events are appended together, before the same flush;
      // a log cut between them loses the checkpoint (the trial restarts from its previous one),
      // which changes what PBT may clone. Cut after the checkpoint instead.
      if (log[cut - 1].kind == Event::Kind::kResult && log[cut].kind == Event::Kind::kCheckpoint) {
        ++cut;
      }
      const std::vector<Event> prefix(log.begin(), log.begin() + static_cast<long>(cut));
      VectorSink rest;
      const TuneResult resumed = run(c, rest, &prefix);
      const std::string where = std::string(c.name) + " cut at event " + std::to_string(cut);
      expect_same_trials(full, resumed, where);
      ASSERT_FALSE(rest.events.empty()) << where;
      EXPECT_EQ(rest.events.front().seq, cut) << where << ": the log continues, ids not reused";
    }
  }
}

TEST(Resume, ALogFromAnotherSeedDoesNotReplay) {
  const Case c = cases()[2];
  VectorSink sink;
  run(c, sink, nullptr);
  ManualClock clock;
  auto executor = make_simulated_executor(demo_trial(kSteps), clock);
  Tuner other(options(), make_random_search(demo_space(), {kSeed + 1, kTrials}), c.make(),
              *executor, clock, nullptr);
  try {
    other.resume(sink.events);
    FAIL() << "a log written with another seed replayed";
  } catch (const Error& e) {
    EXPECT_TRUE(e.IsCorruption());
    EXPECT_NE(std::string(e.what()).find("replay diverged at event 0"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace tuneq
