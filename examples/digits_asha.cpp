// Tunes a small neural network on scikit-learn's digits with ASHA (promotion variant), in-process.
//
// Every trial really trains: a one-hidden-layer MLP with minibatch SGD, one report per epoch.
// ASHA pauses trials at rungs 1, 3 and 9 epochs and promotes the top third; a promoted trial
// continues from its checkpoint (weights + optimiser state), up to 27 epochs.
//
//   digits_asha [--trials 81] [--seed 0] [--threads N]
#include <algorithm>
#include <iostream>
#include <thread>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "common/digits.hpp"
#include "common/mlp.hpp"
#include "tuneq/clock.hpp"
#include "tuneq/inprocess.hpp"
#include "tuneq/scheduler.hpp"
#include "tuneq/searcher.hpp"
#include "tuneq/tuner.hpp"

namespace {

constexpr int kMaxEpochs = 27;

digits::Hyper hyper_of(const tuneq::Config& c) {
  digits::Hyper hp;
  hp.lr = c.at("lr").as_float();
  hp.momentum = c.at("momentum").as_float();
  hp.l2 = c.at("l2").as_float();
  hp.hidden = static_cast<int>(c.at("hidden").as_int());
  hp.batch = static_cast<int>(c.at("batch").as_int());
  return hp;
}

// The trainable: restores from its checkpoint if it has one, trains epoch by epoch, reports.
void train(const digits::Data& data, tuneq::TrialContext& ctx) {
  const digits::Hyper hp = hyper_of(ctx.config());
  digits::Mlp model(hp.hidden, /*seed=*/ctx.trial_id());
  int epoch = 0;
  if (auto bytes = ctx.restore()) {
    // The checkpoint is the epoch count, a colon, then the model's bytes.
    const auto colon = bytes->find(':');
    epoch = std::stoi(bytes->substr(0, colon));
    if (!model.load(bytes->substr(colon + 1))) throw std::runtime_error("bad checkpoint");
  }
  while (epoch < kMaxEpochs) {
    tuneq::Rng shuffle =
        tuneq::Rng::ForStream(ctx.trial_id(), 1, static_cast<std::uint64_t>(epoch));
    model.train_epoch(data.train, hp, shuffle);
    ++epoch;
    const digits::Eval e = model.evaluate(data.val);
    ctx.save_checkpoint(std::to_string(epoch) + ":" + model.save());
    const tuneq::Action a =
        ctx.report({{"epoch", epoch}, {"val_loss", e.loss}, {"val_accuracy", e.accuracy}});
    if (a != tuneq::Action::kContinue) return;
  }
}

}  // namespace

int main(int argc, char** argv) try {
  CLI::App app{"Tune an MLP on scikit-learn's digits with ASHA, in-process"};
  std::uint64_t trials = 81;
  std::uint64_t seed = 0;
  int threads = static_cast<int>(std::max(2u, std::thread::hardware_concurrency()));
  std::string data_path = digits::kDefaultPath;
  app.add_option("--trials", trials, "configurations to try");
  app.add_option("--seed", seed, "searcher seed");
  app.add_option("--threads", threads, "trials trained at once");
  app.add_option("--data", data_path, "digits.csv.gz from python3-sklearn");
  CLI11_PARSE(app, argc, argv);

  const digits::Data data = digits::load(data_path);
  fmt::print("digits: {} training and {} validation images\n", data.train.rows(), data.val.rows());

  tuneq::Space space;
  space.add("lr", tuneq::Domain::LogUniform(1e-3, 1.0))
      .add("momentum", tuneq::Domain::Uniform(0.0, 0.95))
      .add("l2", tuneq::Domain::LogUniform(1e-6, 1e-2))
      .add("hidden", tuneq::Domain::Choice({16, 32, 64, 128}))
      .add("batch", tuneq::Domain::Choice({16, 32, 64, 128}));

  tuneq::AshaOptions asha;
  asha.mode = tuneq::Mode::kMin;
  asha.max_t = kMaxEpochs;
  asha.grace_period = 1;
  asha.reduction_factor = 3;

  tuneq::TunerOptions options;
  options.metric = "val_loss";
  options.mode = tuneq::Mode::kMin;
  options.resource_attr = "epoch";
  options.pool.cpu = threads;
  options.budget.max_trials = trials;

  auto clock = tuneq::make_system_clock();
  auto executor = tuneq::make_inprocess_executor(
      [&data](tuneq::TrialContext& ctx) { train(data, ctx); }, static_cast<std::size_t>(threads));
  tuneq::Tuner tuner(options, tuneq::make_random_search(space, {seed, 0}),
                     tuneq::make_asha_promotion(asha), *executor, *clock);
  const tuneq::TuneResult result = tuner.run();

  std::size_t by_epochs[kMaxEpochs + 1] = {};
  for (const auto& t : result.trials) ++by_epochs[static_cast<int>(t.resource)];
  fmt::print("\n{} trials in {:.1f} s ({}), utilisation {:.0f}%\n", result.trials.size(),
             result.elapsed, result.end_reason, 100 * result.utilisation);
  for (int e : {1, 3, 9, 27}) fmt::print("  trained {:>2} epochs: {} trials\n", e, by_epochs[e]);
  if (!result.best) {
    fmt::print("no trial reported a finite val_loss\n");
    return 1;
  }
  const auto& best = result.trials[*result.best];
  // Retrain the winner from scratch to report its validation accuracy at the epoch it reached.
  const digits::Hyper hp = hyper_of(best.config);
  digits::Mlp model(hp.hidden, best.id);
  digits::Eval e;
  for (int epoch = 0; epoch < static_cast<int>(best.resource); ++epoch) {
    tuneq::Rng shuffle = tuneq::Rng::ForStream(best.id, 1, static_cast<std::uint64_t>(epoch));
    model.train_epoch(data.train, hp, shuffle);
  }
  e = model.evaluate(data.val);
  fmt::print("\nbest trial {}: {}\n  val_loss {:.4f}, val_accuracy {:.4f} after {} epochs\n",
             best.id, tuneq::config_to_string(best.config), result.best_value, e.accuracy,
             best.resource);
  return 0;
} catch (const std::exception& e) {
  std::cerr << "digits_asha: " << e.what() << "\n";
  return 1;
}
