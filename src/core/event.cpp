#include "tuneq/event.hpp"

namespace tuneq {

const char* to_string(Event::Kind kind) {
  switch (kind) {
    case Event::Kind::kTrialAdded:
      return "trial_added";
    case Event::Kind::kStarted:
      return "started";
    case Event::Kind::kResult:
      return "result";
    case Event::Kind::kDecision:
      return "decision";
    case Event::Kind::kCheckpoint:
      return "checkpoint";
    case Event::Kind::kPaused:
      return "paused";
    case Event::Kind::kResumed:
      return "resumed";
    case Event::Kind::kFinished:
      return "finished";
    case Event::Kind::kFailed:
      return "failed";
    case Event::Kind::kNoMoreTrials:
      return "no_more_trials";
    case Event::Kind::kExploit:
      return "exploit";
  }
  return "?";
}

}  // namespace tuneq
