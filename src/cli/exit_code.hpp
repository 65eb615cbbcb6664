// The exit codes of the tuneq command. Documented in docs/cli.md; scripts may rely on them.
#pragma once

namespace tuneq::cli {

enum class ExitCode : int {
  kOk = 0,
  kFailure = 1,        // the experiment ran but something failed (e.g. every trial failed)
  kUsage = 2,          // bad command line
  kSpecError = 3,      // the experiment spec is invalid (file, line and key are named)
  kStoreError = 4,     // the experiment directory or its event log cannot be used
  kLocked = 5,         // another tuneq process is using the experiment directory
  kInterrupted = 130,  // stopped by SIGINT; resumable with `tuneq resume`
};

constexpr int to_int(ExitCode c) {
  return static_cast<int>(c);
}

}  // namespace tuneq::cli
