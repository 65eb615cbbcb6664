#include "spec/build.hpp"

#include <algorithm>
#include <limits>
#include <thread>

namespace tuneq::spec {

std::unique_ptr<Searcher> make_searcher(const ExperimentSpec& spec) {
  RandomSearchOptions options{spec.searcher.seed, spec.searcher.num_samples};
  const bool has_grid_axis = std::any_of(spec.space.params().begin(), spec.space.params().end(),
                                         [](const Space::Param& p) { return p.domain.is_grid(); });
  if (spec.searcher.type == SearcherType::kRandom && has_grid_axis && options.num_samples == 0) {
    // Unbounded random search over a space with grid axes: pass over the grid again and again,
    // each pass with fresh draws of the other axes, until the budget ends the experiment.
    options.num_samples = std::numeric_limits<std::uint64_t>::max() / spec.space.grid_size();
  }
  std::unique_ptr<Searcher> searcher = spec.searcher.type == SearcherType::kGrid || has_grid_axis
                                           ? make_grid_search(spec.space, options)
                                           : make_random_search(spec.space, options);
  if (spec.searcher.points_to_evaluate.empty()) return searcher;
  return make_points_to_evaluate(spec.space, spec.searcher.points_to_evaluate, spec.searcher.seed,
                                 std::move(searcher));
}

std::unique_ptr<Scheduler> make_scheduler(const ExperimentSpec& spec) {
  const SchedulerSpec& s = spec.scheduler;
  switch (s.type) {
    case SchedulerType::kMedian: {
      MedianStoppingOptions options = s.median;
      options.mode = spec.mode;
      return make_median_stopping(options);
    }
    case SchedulerType::kAsha: {
      AshaOptions options = s.asha;
      options.mode = spec.mode;
      return s.asha_variant == AshaVariant::kPromotion ? make_asha_promotion(options)
                                                       : make_asha_stopping(options);
    }
    case SchedulerType::kHyperband: {
      HyperbandOptions options = s.hyperband;
      options.mode = spec.mode;
      return make_hyperband(options);
    }
    case SchedulerType::kPbt: {
      PbtOptions options = s.pbt;
      options.mode = spec.mode;
      options.seed = spec.searcher.seed;
      return make_pbt(options);
    }
    case SchedulerType::kPb2: {
      Pb2Options options = s.pb2;
      options.mode = spec.mode;
      options.seed = spec.searcher.seed;
      return make_pb2(options);
    }
    case SchedulerType::kFifo:
      break;
  }
  return make_fifo_scheduler();
}

TunerOptions tuner_options(const ExperimentSpec& spec) {
  TunerOptions options;
  options.metric = spec.metric;
  options.mode = spec.mode;
  options.resource_attr = spec.resource;
  options.pool.cpu = spec.pool.cpu > 0
                         ? spec.pool.cpu
                         : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  options.pool.gpus = spec.pool.gpus;
  options.per_trial = spec.resources;
  options.max_concurrent = spec.max_concurrent;
  options.budget = spec.budget;
  options.max_failures = spec.max_failures;
  options.checkpoint_keep = spec.checkpoint_keep;
  return options;
}

ProcessExecutorOptions process_executor_options(const ExperimentSpec& spec) {
  ProcessExecutorOptions options;
  options.command = spec.command;
  options.env = spec.env;
  options.time_limit = spec.trial.time_limit.value_or(0);
  options.stop_grace = spec.trial.stop_grace;
  options.kill_grace = spec.trial.kill_grace;
  return options;
}

}  // namespace tuneq::spec
