#include "run/trial_environment.hpp"

#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tuneq/error.hpp"

namespace tuneq::detail {
namespace {

std::map<std::string, std::string> as_map(const std::vector<std::string>& entries) {
  std::map<std::string, std::string> out;
  for (const auto& e : entries) {
    const auto eq = e.find('=');
    EXPECT_TRUE(out.emplace(e.substr(0, eq), e.substr(eq + 1)).second) << "twice: " << e;
  }
  return out;
}

TEST(TrialEnvironment, SharedPartHoldsInheritedAndExtraButNoPerTrialName) {
  const char* inherited[] = {"PATH=/bin",          "HOME=/root",
                             "TUNEQ_TRIAL_ID=9",   "TUNEQ_CONFIG={}",
                             "TUNEQ_RESTORE=old",  "CUDA_VISIBLE_DEVICES=4",
                             "NOEQUALS",           "=novalue",
                             "PYTHONUNBUFFERED=0", nullptr};
  const TrialEnvironment env(inherited, {{"HOME", "/work"}, {"EXTRA", "a=b"}});
  EXPECT_EQ(as_map(env.shared()),
            (std::map<std::string, std::string>{
                {"EXTRA", "a=b"}, {"HOME", "/work"}, {"PATH", "/bin"}, {"PYTHONUNBUFFERED", "1"}}));
}

TEST(TrialEnvironment, ATrialsOwnVariablesFollowTheSharedPart) {
  const char* inherited[] = {"CUDA_VISIBLE_DEVICES=4", "TUNEQ_TRIAL_DIR=/elsewhere", nullptr};
  const TrialEnvironment env(inherited, {});
  LaunchRequest request;
  request.trial = 12;
  request.config = {{"lr", Value(0.5)}, {"opt", Value("adam")}};
  auto own = as_map(env.for_trial(request, "/runs/x/trials/12", "/runs/x/trials/12/ckpt-3"));
  EXPECT_EQ(own, (std::map<std::string, std::string>{
                     {"CUDA_VISIBLE_DEVICES", "4"},  // no GPUs given: the inherited value
                     {"TUNEQ_CONFIG", R"({"lr":0.5,"opt":"adam"})"},
                     {"TUNEQ_RESTORE", "/runs/x/trials/12/ckpt-3"},
                     {"TUNEQ_TRIAL_DIR", "/runs/x/trials/12"},
                     {"TUNEQ_TRIAL_ID", "12"}}));
  request.allocation.gpus = {1, 3};
  own = as_map(env.for_trial(request, "/d", ""));
  EXPECT_EQ(own["CUDA_VISIBLE_DEVICES"], "1,3");
  EXPECT_EQ(own["TUNEQ_RESTORE"], "");
  // Without an inherited CUDA_VISIBLE_DEVICES a trial without GPUs gets none.
  const TrialEnvironment bare(nullptr, {});
  request.allocation.gpus.clear();
  EXPECT_FALSE(as_map(bare.for_trial(request, "/d", "")).contains("CUDA_VISIBLE_DEVICES"));
}

TEST(TrialEnvironment, AnExtraNameThatIsEmptyOrHoldsEqualsIsRefused) {
  for (const std::string name : {"", "A=B"}) {
    try {
      const TrialEnvironment env(nullptr, {{name, "x"}});
      ADD_FAILURE() << "accepted '" << name << "'";
    } catch (const Error& e) {
      EXPECT_TRUE(e.IsInvalidArgument());
      EXPECT_NE(std::string(e.what()).find("is not a variable name"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace tuneq::detail
