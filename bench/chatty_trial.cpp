// A trial that does nothing but report: `chatty_trial <n>` reports n times through
// include/tuneq/trial.hpp, waiting for each reply, and exits 0 (or at the first pause/stop).
// Used by protocol_bench to measure the report -> reply round trip of the process executor.
#include <cstdlib>

#include "tuneq/trial.hpp"

int main(int argc, char** argv) {
  const long long reports = argc > 1 ? std::atoll(argv[1]) : 1000;
  for (long long i = 1; i <= reports; ++i) {
    const double step = static_cast<double>(i);
    if (tuneq::trial::report({{"step", step}, {"loss", 1.0 / step}}) != "continue") return 0;
  }
  return 0;
}
