// PB2: option and config checks (messages verbatim), the explore step on a hand-built population
// (what is copied, types, bounds, the clone start, the pending batch), and make_pb2 driven by a
// small deterministic population loop.
#include "schedule/pb2.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tuneq/error.hpp"
#include "tuneq/scheduler.hpp"

namespace tuneq {
namespace {

using detail::Pb2Explorer;
using detail::PbtMember;
using detail::PbtPopulation;
using detail::PbtRecord;

const std::map<std::string, std::pair<double, double>> kBounds = {{"lr", {1e-4, 0.1}},
                                                                  {"batch", {16, 64}}};

// Improvement per unit of time: best at lr = 0.04, flat in batch.
double gain(double lr) {
  return 1 - 100 * (lr - 0.04) * (lr - 0.04);
}

// Four trials with lr 0.01, 0.03, 0.05, 0.09 (batch 16, 32, 48, 64, optimizer "adam"), each
// with boundary results at times 1..steps (trial 3 only at time 1); score = time * gain(lr).
struct Fixture {
  std::vector<PbtMember> members;
  std::vector<PbtRecord> history;

  explicit Fixture(int steps) {
    const std::vector<double> lrs = {0.01, 0.03, 0.05, 0.09};
    for (TrialId id = 0; id < 4; ++id) {
      PbtMember& m = members.emplace_back();
      m.id = id;
      m.config = config(id);
    }
    for (int t = 1; t <= steps; ++t) {
      for (TrialId id = 0; id < 4; ++id) {
        if (id == 3 && t > 1) continue;
        history.push_back({id, static_cast<double>(t), t * gain(lrs[id]), config(id)});
      }
    }
  }
  static Config config(TrialId id) {
    const std::vector<double> lrs = {0.01, 0.03, 0.05, 0.09};
    return {{"lr", lrs[id]}, {"batch", static_cast<int>(16 * (id + 1))}, {"optimizer", "adam"}};
  }
  PbtPopulation population() const { return {members, history}; }
};

TEST(Pb2, OptionsAreValidatedNamingTheOption) {
  struct Case {
    std::map<std::string, std::pair<double, double>> bounds;
    const char* message;
  };
  const std::vector<Case> cases = {
      {{}, "PB2 option hyperparam_bounds must name at least one parameter"},
      {{{"lr", {0.1, 1e-4}}},
       "PB2 option hyperparam_bounds 'lr' must be [low, high] with finite low < high, got "
       "[0.1, 0.0001]"},
      {{{"lr", {0.1, 0.1}}},
       "PB2 option hyperparam_bounds 'lr' must be [low, high] with finite low < high, got "
       "[0.1, 0.1]"},
      {{{"lr", {0, std::nan("")}}},
       "PB2 option hyperparam_bounds 'lr' must be [low, high] with finite low < high, got "
       "[0, nan]"},
  };
  for (const Case& c : cases) {
    Pb2Options o;
    o.hyperparam_bounds = c.bounds;
    try {
      make_pb2(o);
      ADD_FAILURE() << "accepted: " << c.message;
    } catch (const Error& e) {
      EXPECT_STREQ(e.what(), c.message);
    }
  }
  // The options PBT shares are checked by PBT's validation, under PB2's name.
  Pb2Options o;
  o.hyperparam_bounds = kBounds;
  o.quantile_fraction = 0.6;
  try {
    make_pb2(o);
    ADD_FAILURE() << "accepted quantile_fraction 0.6";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "PB2 option quantile_fraction must be in (0, 0.5], got 0.6");
  }
  o.quantile_fraction = 0.25;
  EXPECT_EQ(make_pb2(o)->name(), "pb2");
}

TEST(Pb2, ConfigWithoutANumericBoundedParameterIsRejected) {
  Pb2Options o;
  o.hyperparam_bounds = kBounds;
  auto pb2 = make_pb2(o);
  try {
    pb2->on_trial_added(0, {{"lr", 0.01}});
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "PB2: hyperparam_bounds names 'batch', which trial 0's config does not "
                 "have");
  }
  auto other = make_pb2(o);
  try {
    other->on_trial_added(0, {{"lr", "fast"}, {"batch", 16}});
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "PB2: hyperparam_bounds 'lr' needs a number, but trial 0 has 'fast'");
  }
}

TEST(Pb2Explore, BoundedValuesAreChosenOthersCopiedAndIntsStayInts) {
  const Fixture f(5);
  Pb2Explorer explorer(kBounds);
  Rng rng(1);
  const Config source = Fixture::config(2);
  const Config c = explorer.explore(0, 2, source, f.population(), rng);
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c.at("optimizer"), Value("adam"));
  ASSERT_TRUE(c.at("lr").is_float());
  EXPECT_GE(c.at("lr").as_float(), 1e-4);
  EXPECT_LE(c.at("lr").as_float(), 0.1);
  ASSERT_TRUE(c.at("batch").is_int());
  EXPECT_GE(c.at("batch").as_int(), 16);
  EXPECT_LE(c.at("batch").as_int(), 64);
  // Where trial 0's own data start: trial 2's last boundary (time 5, score 5 * 0.99 = 4.95),
  // under the new values.
  ASSERT_EQ(explorer.clone_starts().size(), 1u);
  const detail::Pb2Observation& start = explorer.clone_starts()[0];
  EXPECT_EQ(start.trial, 0u);
  EXPECT_DOUBLE_EQ(start.time, 5);
  EXPECT_NEAR(start.reward, 4.95, 1e-12);
  EXPECT_EQ(start.x, (std::vector<double>{static_cast<double>(c.at("batch").as_int()),
                                          c.at("lr").as_float()}));
}

TEST(Pb2Explore, TheCloneStartMakesTheClonesNextBoundaryADataRow) {
  Fixture f(5);
  Pb2Explorer explorer(kBounds);
  Rng rng(2);
  const Config c = explorer.explore(0, 2, Fixture::config(2), f.population(), rng);
  // Trial 0 trains 2 more units from trial 2's state under c.
  f.history.push_back({0, 7, 4.95 + 2 * gain(c.at("lr").as_float()), c});
  std::vector<detail::Pb2Observation> obs;
  for (const PbtRecord& r : f.history) {
    obs.push_back({r.trial,
                   r.time,
                   {r.config.at("batch").as_float(), r.config.at("lr").as_float()},
                   r.score});
  }
  obs.insert(obs.end(), explorer.clone_starts().begin(), explorer.clone_starts().end());
  const std::vector<detail::Pb2Row> rows = detail::pb2_rows(obs, 1000);
  ASSERT_FALSE(rows.empty());
  const detail::Pb2Row& last = rows.back();
  EXPECT_EQ(last.trial, 0u);
  EXPECT_DOUBLE_EQ(last.time, 7);
  EXPECT_NEAR(last.reward_before, 4.95, 1e-12);
  EXPECT_NEAR(last.change, gain(c.at("lr").as_float()), 1e-12);
}

TEST(Pb2Explore, SourceWithoutADataRowKeepsItsConfig) {
  const Fixture f(5);
  Pb2Explorer explorer(kBounds);
  Rng rng(3);
  // Trial 3 has one boundary result: no change of reward measured yet.
  const Config source = Fixture::config(3);
  EXPECT_EQ(explorer.explore(1, 3, source, f.population(), rng), source);
  EXPECT_TRUE(explorer.clone_starts().empty());
  EXPECT_EQ(explorer.pending(), (std::vector<std::vector<double>>{{64, 0.09}}));
}

// Ray's `current`: the configs chosen since the population's latest time last advanced.
TEST(Pb2Explore, PendingBatchGrowsUntilTheLatestTimeAdvances) {
  Fixture f(5);
  Pb2Explorer explorer(kBounds);
  Rng rng(4);
  const Config a = explorer.explore(0, 2, Fixture::config(2), f.population(), rng);
  const Config b = explorer.explore(3, 1, Fixture::config(1), f.population(), rng);
  ASSERT_EQ(explorer.pending().size(), 2u);
  EXPECT_EQ(explorer.pending()[0],
            (std::vector<double>{a.at("batch").as_float(), a.at("lr").as_float()}));
  EXPECT_EQ(explorer.pending()[1],
            (std::vector<double>{b.at("batch").as_float(), b.at("lr").as_float()}));
  // A boundary result at time 6: a new batch.
  f.history.push_back({2, 6, 6 * gain(0.05), Fixture::config(2)});
  const Config c = explorer.explore(1, 2, Fixture::config(2), f.population(), rng);
  ASSERT_EQ(explorer.pending().size(), 1u);
  EXPECT_EQ(explorer.pending()[0],
            (std::vector<double>{c.at("batch").as_float(), c.at("lr").as_float()}));
}

// A population of 4 on 4 slots, each reporting once per round with a checkpoint each time;
// metric (max) grows by gain(lr) per unit. Exploits restart the trial from the source's state.
struct LoopOutcome {
  std::vector<Exploit> exploits;
  std::vector<double> final_metric;
};

LoopOutcome RunPopulation(std::uint64_t seed, bool synch) {
  Pb2Options o;
  o.mode = Mode::kMax;
  o.perturbation_interval = 2;
  o.quantile_fraction = 0.25;
  o.hyperparam_bounds = {{"lr", {1e-4, 0.1}}};
  o.synch = synch;
  o.seed = seed;
  auto pb2 = make_pb2(o);
  const std::vector<double> start_lr = {0.002, 0.02, 0.07, 0.095};
  struct Trial {
    double lr = 0, t = 0, metric = 0;
    bool running = true;
    std::map<double, double> checkpoints;  // resource -> metric
  };
  std::vector<Trial> trials;
  for (TrialId id = 0; id < 4; ++id) {
    Trial& tr = trials.emplace_back();
    tr.lr = start_lr[id];
    pb2->on_trial_added(id, {{"lr", start_lr[id]}});
  }
  pb2->on_no_more_trials();
  LoopOutcome out;
  for (int round = 0; round < 200; ++round) {
    bool any = false;
    // Trials report in a shuffled order each round (as unequal speeds would make them), so the
    // asynchronous ranking sees every trial at the bottom now and then.
    std::vector<TrialId> order = {0, 1, 2, 3};
    Rng shuffle(seed * 1000 + static_cast<std::uint64_t>(round));
    for (std::size_t i = 3; i > 0; --i) std::swap(order[i], order[shuffle.below(i + 1)]);
    for (const TrialId id : order) {
      Trial& tr = trials[id];
      if (!tr.running || tr.t >= 24) continue;
      any = true;
      tr.t += 1;
      tr.metric += gain(tr.lr);
      tr.checkpoints[tr.t] = tr.metric;
      pb2->on_checkpoint(id, tr.t);
      const Decision d = pb2->on_result(id, {tr.t, tr.metric}, {false, 0});
      if (d.action == Action::kPause) tr.running = false;
      if (tr.t >= 24 && tr.running) {
        tr.running = false;
        pb2->on_trial_finished(id, TrialEnd::kCompleted);
      }
    }
    // Free slots: resume whoever the scheduler picks, carrying out exploits.
    for (int slot = 0; slot < 4; ++slot) {
      const SlotChoice c = pb2->on_free_slot({false, 1});
      if (c.kind != SlotChoice::Kind::kResume) break;
      Trial& tr = trials[c.trial];
      if (const std::optional<Exploit> x = pb2->take_exploit(c.trial)) {
        const Trial& src = trials[x->source];
        tr.t = x->resource;
        tr.metric = src.checkpoints.at(x->resource);
        tr.lr = x->config.at("lr").as_float();
        out.exploits.push_back(*x);
      }
      tr.running = true;
      any = true;
    }
    if (!any) break;
  }
  for (const Trial& tr : trials) out.final_metric.push_back(tr.metric);
  return out;
}

TEST(Pb2, PopulationLoopIsDeterministicAndExploresInsideTheBounds) {
  for (const bool synch : {false, true}) {
    SCOPED_TRACE(synch ? "synch" : "async");
    const LoopOutcome a = RunPopulation(5, synch);
    const LoopOutcome b = RunPopulation(5, synch);
    ASSERT_GE(a.exploits.size(), 4u);
    EXPECT_EQ(a.exploits, b.exploits);
    EXPECT_EQ(a.final_metric, b.final_metric);
    for (const Exploit& x : a.exploits) {
      const double lr = x.config.at("lr").as_float();
      EXPECT_GE(lr, 1e-4);
      EXPECT_LE(lr, 0.1);
    }
  }
}

// Behaviour (synchronous, so the whole population is ranked at every boundary): the explored
// learning rates are nearer the best one (0.04) than uniform draws in [1e-4, 0.1] would be (mean
// distance (0.04^2 + 0.06^2) / 0.2 = 0.026), and the population ends better than its best
// starting config (lr 0.02: gain 0.96) trained alone for 24 units (23.04).
TEST(Pb2, ExploresTowardsTheBestLearningRate) {
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    SCOPED_TRACE(seed);
    const LoopOutcome a = RunPopulation(seed, true);
    ASSERT_GE(a.exploits.size(), 8u);
    double distance = 0;
    for (const Exploit& x : a.exploits) distance += std::abs(x.config.at("lr").as_float() - 0.04);
    distance /= static_cast<double>(a.exploits.size());
    EXPECT_LT(distance, 0.02);
    EXPECT_GT(*std::max_element(a.final_metric.begin(), a.final_metric.end()), 23.04);
  }
}

}  // namespace
}  // namespace tuneq
