// First in, first out: the scheduler that never intervenes. Every result is answered Continue
// (with no reason, so nothing is formatted or logged for it) and a free slot starts a new trial
// whenever the loop can (Scheduler's default on_free_slot). Trials end only on their own:
// the trainable returns, the trial fails, or the experiment's budget or stop rule ends it.
#include <memory>
#include <string>

#include "tuneq/scheduler.hpp"

namespace tuneq {
namespace {

class FifoScheduler final : public Scheduler {
 public:
  std::string name() const override { return "fifo"; }

  Decision on_result(TrialId id, const Result& result, const LoopState& loop) override {
    (void)id, (void)result, (void)loop;
    return Decision::Continue();
  }
};

}  // namespace

std::unique_ptr<Scheduler> make_fifo_scheduler() {
  return std::make_unique<FifoScheduler>();
}

}  // namespace tuneq
