// A trial program written with the C++ trial helper (include/tuneq/trial.hpp): gradient descent
// on f(w) = (w - 3)^2 + 0.1 (w - 3)^4, one report per step, a checkpoint per step.
//
// Config: lr (float, default 0.05), steps (int, default 30), w0 (float, default -2).
// Reports: step, loss, w. On "pause"/"stop" it exits 0 (its checkpoint is already saved); when
// launched with TUNEQ_RESTORE it continues from the saved step and w.
//
// Run by hand, it trains with the defaults and prints its report lines:
//   build/release/examples/trial_helper_demo
// Under tuneq (process executor), with a spec such as:
//   command: /abs/path/build/release/examples/trial_helper_demo
//   metric: loss
//   resource: step
//   space: {lr: loguniform(1e-3, 0.5), w0: uniform(-5, 5)}
#include <cmath>
#include <fstream>
#include <iostream>

#include "tuneq/trial.hpp"

namespace tt = tuneq::trial;

namespace {

struct State {
  long long step = 0;
  double w = 0;
};

double loss_of(double w) {
  const double d = w - 3;
  return d * d + 0.1 * d * d * d * d;
}

double gradient_of(double w) {
  const double d = w - 3;
  return 2 * d + 0.4 * d * d * d;
}

void save(const std::filesystem::path& dir, const State& s) {
  std::ofstream out(dir / "state.txt");
  out.precision(17);
  out << s.step << ' ' << s.w << '\n';
}

State load(const std::filesystem::path& dir) {
  State s;
  std::ifstream in(dir / "state.txt");
  if (!(in >> s.step >> s.w)) throw std::runtime_error("bad checkpoint in " + dir.string());
  return s;
}

}  // namespace

int main() {
  try {
    const double lr = tt::config_float("lr", 0.05);
    const long long steps = tt::config_int("steps", 30);
    State state{0, tt::config_float("w0", -2)};
    if (const auto from = tt::restore_dir()) {
      state = load(*from);
      std::cout << "resuming at step " << state.step << " from " << from->string() << '\n';
    }
    while (state.step < steps) {
      state.w -= lr * gradient_of(state.w);
      ++state.step;
      const double loss = loss_of(state.w);
      if (!std::isfinite(loss)) {
        std::cerr << "diverged at step " << state.step << " (lr " << lr << ")\n";
        return 1;
      }
      const std::filesystem::path ckpt = tt::checkpoint_dir();
      save(ckpt, state);
      const std::string answer = tt::report(
          {{"step", static_cast<double>(state.step)}, {"loss", loss}, {"w", state.w}}, ckpt);
      if (answer != "continue") return 0;  // paused or stopped: the checkpoint is saved
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "trial_helper_demo: " << e.what() << '\n';
    return 2;
  }
}
