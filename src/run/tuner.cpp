// The public face of the tuner loop; the loop itself lives in tuner_loop.cpp.
#include "tuneq/tuner.hpp"

#include "run/tuner_loop.hpp"

namespace tuneq {

const char* to_string(TrialStatus s) {
  switch (s) {
    case TrialStatus::kPending:
      return "pending";
    case TrialStatus::kRunning:
      return "running";
    case TrialStatus::kPaused:
      return "paused";
    case TrialStatus::kCompleted:
      return "completed";
    case TrialStatus::kStopped:
      return "stopped";
    case TrialStatus::kFailed:
      return "failed";
  }
  return "?";
}

Tuner::Tuner(TunerOptions options, std::unique_ptr<Searcher> searcher,
             std::unique_ptr<Scheduler> scheduler, Executor& executor, const Clock& clock,
             EventSink* sink)
    : loop_(std::make_unique<Loop>(std::move(options), std::move(searcher), std::move(scheduler),
                                   executor, clock, sink)) {}

Tuner::~Tuner() = default;

TuneResult Tuner::run() {
  return loop_->run();
}

TuneResult Tuner::resume(const std::vector<Event>& history) {
  return loop_->resume(history);
}

void Tuner::set_observer(ProgressObserver* observer, double interval) {
  loop_->set_observer(observer, interval);
}

void Tuner::request_stop(std::string reason) {
  loop_->request_stop(std::move(reason));
}

void Tuner::interrupt(std::string reason) {
  loop_->interrupt(std::move(reason));
}

}  // namespace tuneq
