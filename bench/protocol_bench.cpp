// Throughput of the process protocol: report -> reply round trips per second through
// make_process_executor, driven by a minimal loop (next_event -> reply(continue)).
//
//   ProtocolRoundTrip/<trials>: <trials> copies of bench/chatty_trial (C++,
//   include/tuneq/trial.hpp)
//     run at once, each reporting 20 000 times; reports_per_s counts all of them.
//   PythonHelperRoundTrip: one Python trial using python/tuneq_trial.py.
//
//   build/release/bench/protocol_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "tuneq/clock.hpp"
#include "tuneq/process.hpp"

namespace {

constexpr long long kReportsPerTrial = 20000;

// Runs `trials` launches of `command` (with {n} = reports per trial) to the end; returns the
// number of reports answered.
long long run_trials(tuneq::Executor& executor, const tuneq::Clock& clock, int trials,
                     long long reports, tuneq::TrialId& next_id, benchmark::State& state) {
  for (int i = 0; i < trials; ++i) {
    tuneq::LaunchRequest request;
    request.trial = next_id++;
    request.config = {{"n", tuneq::Value(static_cast<std::int64_t>(reports))}};
    executor.launch(request);
  }
  long long answered = 0;
  int exited = 0;
  while (exited < trials) {
    std::optional<tuneq::ExecutorEvent> event = executor.next_event(clock.now() + 30);
    if (!event) {
      state.SkipWithError("no event within 30 s");
      break;
    }
    if (event->kind == tuneq::ExecutorEvent::Kind::kResult) {
      executor.reply(event->trial, tuneq::Action::kContinue);
      ++answered;
    } else {
      if (!event->ok) state.SkipWithError(event->error.c_str());
      ++exited;
    }
  }
  return answered;
}

void run(benchmark::State& state, const std::string& command, int trials, long long reports) {
  char dir_template[] = "/tmp/tuneq-protocol-bench-XXXXXX";
  const char* dir = mkdtemp(dir_template);
  if (dir == nullptr) {
    state.SkipWithError("mkdtemp failed");
    return;
  }
  const std::unique_ptr<tuneq::Clock> clock = tuneq::make_system_clock();
  tuneq::ProcessExecutorOptions options;
  options.command = command;
  options.trials_dir = dir;
  long long answered = 0;
  {
    const std::unique_ptr<tuneq::Executor> executor = tuneq::make_process_executor(options, *clock);
    tuneq::TrialId next_id = 1;
    for (auto _ : state) answered += run_trials(*executor, *clock, trials, reports, next_id, state);
  }
  std::filesystem::remove_all(dir);
  state.counters["reports_per_s"] =
      benchmark::Counter(static_cast<double>(answered), benchmark::Counter::kIsRate);
}

void ProtocolRoundTrip(benchmark::State& state) {
  run(state, "'" TUNEQ_CHATTY_TRIAL "' {n}", static_cast<int>(state.range(0)), kReportsPerTrial);
}
BENCHMARK(ProtocolRoundTrip)->Arg(1)->Arg(4)->Unit(benchmark::kMillisecond)->UseRealTime();

void PythonHelperRoundTrip(benchmark::State& state) {
  const std::string script =
      "import sys; sys.path.insert(0, sys.argv[1]); import tuneq_trial as tq\n"
      "for i in range(int(sys.argv[2])): tq.report(step=i, loss=1.0 / (i + 1))";
  run(state, "/usr/bin/python3 -c '" + script + "' '" TUNEQ_SOURCE_DIR "/python' {n}", 1, 5000);
}
BENCHMARK(PythonHelperRoundTrip)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
