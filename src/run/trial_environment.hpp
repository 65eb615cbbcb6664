// The environment of a trial's process (DESIGN.md's protocol): everything tuneq inherited, plus
// PYTHONUNBUFFERED=1 and the spec's `env`, then the trial's own variables: TUNEQ_TRIAL_ID,
// TUNEQ_CONFIG, TUNEQ_TRIAL_DIR, TUNEQ_RESTORE, and CUDA_VISIBLE_DEVICES for a trial given GPUs.
// The shared part is flattened once (a launch copies nothing of it); a trial's own variables
// always win over inherited ones of the same name.
// Thread safety: const methods may be called from any thread.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tuneq/executor.hpp"

namespace tuneq::detail {

class TrialEnvironment {
 public:
  // inherited: "NAME=value" entries (environ); extra: the spec's env. Throws
  // Error::InvalidArgument for an extra name that is empty or holds '='.
  TrialEnvironment(const char* const* inherited, const std::map<std::string, std::string>& extra);

  // "NAME=value" for every child: the shared part, without the per-trial names.
  const std::vector<std::string>& shared() const { return shared_; }
  // "NAME=value" of one launch; a child's environment is shared() followed by these.
  std::vector<std::string> for_trial(const LaunchRequest& request, const std::filesystem::path& dir,
                                     const std::string& restore) const;

 private:
  std::vector<std::string> shared_;
  std::optional<std::string> cuda_;  // the shared CUDA_VISIBLE_DEVICES, for trials without GPUs
};

}  // namespace tuneq::detail
