#include "cli/replay_view.hpp"

#include "run/replay.hpp"
#include "spec/build.hpp"
#include "tuneq/error.hpp"

namespace tuneq::cli {

std::string scheduler_label(const spec::ExperimentSpec& spec) {
  switch (spec.scheduler.type) {
    case spec::SchedulerType::kAsha: {
      std::string label = spec.scheduler.asha.brackets > 1 ? "async hyperband" : "asha";
      return label + " (" + spec::to_string(spec.scheduler.asha_variant) + ")";
    }
    case spec::SchedulerType::kHyperband:
      return "hyperband (synchronous)";
    case spec::SchedulerType::kMedian:
      return "median stopping";
    case spec::SchedulerType::kPbt:
      return spec.scheduler.pbt.synch ? "pbt (synchronous)" : "pbt";
    case spec::SchedulerType::kPb2:
      return spec.scheduler.pb2.synch ? "pb2 (synchronous)" : "pb2";
    case spec::SchedulerType::kFifo:
      return "fifo";
  }
  return "?";
}

std::vector<RungView> replayed_rungs(const ExperimentView& view) {
  // Population-based schedulers have no rungs; replaying PB2 would refit its GP at every exploit.
  if (view.spec.scheduler.type == spec::SchedulerType::kPbt ||
      view.spec.scheduler.type == spec::SchedulerType::kPb2) {
    return {};
  }
  auto scheduler = spec::make_scheduler(view.spec);
  detail::Replayer replayer(nullptr, *scheduler, view.spec.metric, view.spec.resource);
  try {
    for (const Event& e : view.events) replayer.apply(e);
  } catch (const Error&) {
    return {};
  }
  return scheduler->rungs();
}

}  // namespace tuneq::cli
