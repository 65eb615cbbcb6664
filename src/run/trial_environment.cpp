#include "run/trial_environment.hpp"

#include <string_view>

#include <fmt/format.h>

#include "tuneq/error.hpp"

namespace tuneq::detail {

namespace {

constexpr std::string_view kCudaVisibleDevices = "CUDA_VISIBLE_DEVICES";

// Set by for_trial for each trial, whatever the inherited environment says.
bool is_per_trial(std::string_view name) {
  return name == "TUNEQ_TRIAL_ID" || name == "TUNEQ_CONFIG" || name == "TUNEQ_TRIAL_DIR" ||
         name == "TUNEQ_RESTORE";
}

}  // namespace

TrialEnvironment::TrialEnvironment(const char* const* inherited,
                                   const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> all;
  for (const char* const* entry = inherited; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const std::size_t eq = text.find('=');
    if (eq != std::string_view::npos && eq > 0) {
      all.emplace(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
    }
  }
  all["PYTHONUNBUFFERED"] = "1";
  for (const auto& [name, value] : extra) {
    if (name.empty() || name.find('=') != std::string::npos) {
      throw Error::InvalidArgument(
          fmt::format("process executor: env: '{}' is not a variable name", name));
    }
    all[name] = value;
  }
  for (const auto& [name, value] : all) {
    if (name == kCudaVisibleDevices) {
      cuda_ = value;
    } else if (!is_per_trial(name)) {
      shared_.push_back(name + "=" + value);
    }
  }
}

std::vector<std::string> TrialEnvironment::for_trial(const LaunchRequest& request,
                                                     const std::filesystem::path& dir,
                                                     const std::string& restore) const {
  std::vector<std::string> env;
  env.reserve(5);
  env.push_back("TUNEQ_TRIAL_ID=" + std::to_string(request.trial));
  env.push_back("TUNEQ_CONFIG=" + config_to_json(request.config));
  env.push_back("TUNEQ_TRIAL_DIR=" + dir.string());
  env.push_back("TUNEQ_RESTORE=" + restore);
  if (!request.allocation.gpus.empty()) {
    env.push_back(
        fmt::format("{}={}", kCudaVisibleDevices, fmt::join(request.allocation.gpus, ",")));
  } else if (cuda_) {
    env.push_back(fmt::format("{}={}", kCudaVisibleDevices, *cuda_));
  }
  return env;
}

}  // namespace tuneq::detail
