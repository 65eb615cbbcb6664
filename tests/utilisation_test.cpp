// Asynchronous successive halving keeps workers busy; synchronous Hyperband idles them at rung
// boundaries while stragglers finish (and, running one bracket at a time, never has more than
// the bracket's n trials to run: n <= 9 for max_t 9, eta 3). 64 simulated workers, 5000 trials
// whose step costs vary in [1, 2) with the config, so that stragglers exist. Rungs at 1, 3, 9.
// Utilisation counts the whole experiment, including the tail after the last trial started.
#include <iostream>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "experiment_fixture.hpp"

namespace tuneq {
namespace {

constexpr int kWorkers = 64;
constexpr std::uint64_t kTrials = 5000;
constexpr std::uint64_t kMaxT = 9;

double utilisation(const char* name, std::unique_ptr<Scheduler> scheduler) {
  const auto out = experiment::run_simulated(std::move(scheduler), 1, kWorkers, kTrials, kMaxT,
                                             /*keep_events=*/false);
  std::cout << fmt::format(
      "[ utilisation ] {:<16} {:.3f}  ({} trials, {} results, {:.0f} s "
      "virtual, ended: {})\n",
      name, out.result.utilisation, out.result.trials.size(), out.result.num_results,
      out.result.elapsed, out.result.end_reason);
  ::testing::Test::RecordProperty(std::string("utilisation_") + name,
                                  fmt::format("{:.3f}", out.result.utilisation));
  EXPECT_EQ(out.result.trials.size(), kTrials);
  return out.result.utilisation;
}

TEST(Utilisation, AshaKeepsWorkersBusyWhileSynchronousHyperbandWaits) {
  const AshaOptions asha{Mode::kMin, kMaxT, 1, 3, 1, true};
  const double promotion = utilisation("asha_promotion", make_asha_promotion(asha));
  const double stopping = utilisation("asha_stopping", make_asha_stopping(asha));
  const double hyperband =
      utilisation("hyperband", make_hyperband(HyperbandOptions{Mode::kMin, kMaxT, 3}));
  EXPECT_GT(promotion, 0.9);
  EXPECT_GT(stopping, 0.9);
  EXPECT_LT(hyperband, promotion - 0.1);
  EXPECT_LT(hyperband, stopping - 0.1);
}

}  // namespace
}  // namespace tuneq
