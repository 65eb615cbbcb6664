// Simulated executor: every running trial has one scheduled happening (its next report, or its
// exit) in a min-heap ordered by (virtual time, trial id); next_event pops the earliest and moves
// the ManualClock to it. Between a report and its reply a trial has nothing scheduled.
//
//   launch at t:            first report at t + step_cost(config, s + 1), s = restored step (0)
//   reply kContinue at t:   next report at t + step_cost(config, s + 1); exit ok at t when
//                           s == max_steps
//   reply kPause/kStop, or cancel, at t:  exit ok at t
//
// Cancel may hit a trial whose report is already scheduled: the trial's generation counter is
// bumped and the stale heap entry is skipped when it surfaces (no search in the heap).
// Per report: one heap pop and push, two std::function calls (or virtual calls on the launch's
// model, built once per launch), one Metrics map of two entries.
#include <charconv>
#include <cmath>
#include <limits>
#include <queue>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "tuneq/error.hpp"
#include "tuneq/simulated.hpp"

namespace tuneq {
namespace {

class SimulatedExecutor final : public Executor {
 public:
  SimulatedExecutor(SimulatedTrial trial, ManualClock& clock)
      : sim_(std::move(trial)), clock_(clock) {
    if (!sim_.model && !sim_.curve) {
      throw Error::InvalidArgument("simulated trial: curve must be set");
    }
    if (!sim_.model && !sim_.step_cost) {
      throw Error::InvalidArgument("simulated trial: step_cost must be set");
    }
    if (sim_.max_steps < 1) throw Error::InvalidArgument("simulated trial: max_steps must be >= 1");
  }

  void launch(const LaunchRequest& request) override {
    if (request.trial >= trials_.size()) trials_.resize(request.trial + 1);
    SimState& state = trials_[request.trial];
    if (state.running) {
      throw Error::FailedPrecondition(
          fmt::format("simulated executor: trial {} is already running", request.trial));
    }
    if (sim_.model) {
      state.model = sim_.model(request.config);
      state.max_steps = state.model->max_steps();
    } else {
      state.config = request.config;
      state.max_steps = sim_.max_steps;
    }
    state.step = request.restore ? parse_step(*request.restore) : 0;
    state.running = true;
    state.awaiting_reply = false;
    ++state.generation;
    schedule_next_step(request.trial, state);
  }

  void reply(TrialId trial, Action action) override {
    SimState* state = find(trial);
    if (state == nullptr || !state->awaiting_reply) {
      throw Error::FailedPrecondition(
          fmt::format("simulated executor: trial {} is not waiting for a reply", trial));
    }
    state->awaiting_reply = false;
    if (action == Action::kContinue) {
      schedule_next_step(trial, *state);
    } else {
      schedule_exit(trial, *state);
    }
  }

  void cancel(TrialId trial) override {
    SimState* state = find(trial);
    if (state == nullptr || !state->running) return;
    state->awaiting_reply = false;
    ++state->generation;  // drops a report already scheduled
    schedule_exit(trial, *state);
  }

  std::optional<ExecutorEvent> next_event(double deadline) override {
    // One returned variable on every path, so it is never moved (GCC 12 at -O2 misreads moving
    // an ExecutorEvent's empty optional<string> as a read of uninitialised memory).
    std::optional<ExecutorEvent> out;
    while (!heap_.empty() && is_stale(heap_.top())) heap_.pop();
    if (heap_.empty()) return out;
    const Happening next = heap_.top();
    if (next.time > deadline) {
      if (std::isfinite(deadline) && deadline > clock_.now()) clock_.advance_to(deadline);
      return out;
    }
    heap_.pop();
    if (next.time > clock_.now()) clock_.advance_to(next.time);
    SimState& state = trials_[next.trial];

    ExecutorEvent& event = out.emplace();
    event.trial = next.trial;
    event.time = clock_.now();
    if (next.exit) {
      state.running = false;
      event.kind = ExecutorEvent::Kind::kExited;
      event.ok = true;
    } else {
      state.step += 1;
      state.awaiting_reply = true;
      event.kind = ExecutorEvent::Kind::kResult;
      if (!sim_.resource.empty()) {
        event.metrics.emplace(sim_.resource, state.model ? state.model->resource(state.step)
                                                         : static_cast<double>(state.step));
      }
      event.metrics.emplace(sim_.metric, state.model ? state.model->value(state.step)
                                                     : sim_.curve(state.config, state.step));
      event.checkpoint.emplace(std::to_string(state.step));
    }
    return out;
  }

 private:
  struct SimState {
    Config config;                          // without a model: what curve and step_cost are asked
    std::unique_ptr<SimulatedModel> model;  // with SimulatedTrial::model: this launch's
    std::uint64_t step = 0;                 // steps done (the latest report's step)
    std::uint64_t max_steps = 0;            // the trial completes after this many steps
    std::uint64_t generation = 0;           // heap entries of older generations are stale
    bool running = false;
    bool awaiting_reply = false;
  };

  struct Happening {
    double time;
    TrialId trial;
    std::uint64_t generation;
    bool exit;  // else: the next report
  };
  // Min-heap on (time, trial): at equal times, lower trial ids come out first.
  struct Later {
    bool operator()(const Happening& a, const Happening& b) const {
      if (a.time != b.time) return a.time > b.time;
      return a.trial > b.trial;
    }
  };

  SimState* find(TrialId trial) { return trial < trials_.size() ? &trials_[trial] : nullptr; }

  bool is_stale(const Happening& h) const {
    const SimState& state = trials_[h.trial];
    return !state.running || h.generation != state.generation;
  }

  void schedule_next_step(TrialId trial, SimState& state) {
    if (state.step >= state.max_steps) {
      schedule_exit(trial, state);
      return;
    }
    const double cost = state.model ? state.model->step_cost(state.step + 1)
                                    : sim_.step_cost(state.config, state.step + 1);
    if (!(cost >= 0)) {
      throw Error::InvalidArgument(
          fmt::format("simulated trial {}: step_cost of step {} is {}, must be >= 0", trial,
                      state.step + 1, cost));
    }
    heap_.push(Happening{clock_.now() + cost, trial, state.generation, false});
  }

  void schedule_exit(TrialId trial, SimState& state) {
    heap_.push(Happening{clock_.now(), trial, state.generation, true});
  }

  static std::uint64_t parse_step(const std::string& checkpoint) {
    std::uint64_t step = 0;
    const char* end = checkpoint.data() + checkpoint.size();
    auto [ptr, ec] = std::from_chars(checkpoint.data(), end, step);
    if (ec != std::errc() || ptr != end) {
      throw Error::InvalidArgument(
          fmt::format("simulated executor: checkpoint '{}' is not a step number", checkpoint));
    }
    return step;
  }

  SimulatedTrial sim_;
  ManualClock& clock_;
  std::vector<SimState> trials_;  // by trial id; grows to the largest id launched
  std::priority_queue<Happening, std::vector<Happening>, Later> heap_;
};

}  // namespace

std::unique_ptr<Executor> make_simulated_executor(SimulatedTrial trial, ManualClock& clock) {
  return std::make_unique<SimulatedExecutor>(std::move(trial), clock);
}

}  // namespace tuneq
