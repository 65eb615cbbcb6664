// Runs the real tuneq binary for the command's integration tests.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace tuneq::testing {

inline std::filesystem::path repo_root() {
  return TUNEQ_SOURCE_DIR;
}
inline std::filesystem::path tuneq_binary() {
  return TUNEQ_BINARY;
}

struct Outcome {
  int exit_code = -1;
  std::string out, err;
};

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A scratch directory, removed at the end of the test.
class ScratchDir {
 public:
  ScratchDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("tuneq-cli-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name) << text;
    return path_ / name;
  }

 private:
  std::filesystem::path path_;
};

// Starts `tuneq args...` in `cwd` with stdout/stderr to files in cwd; returns its pid.
inline pid_t spawn_tuneq(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                         const std::string& tag) {
  const pid_t pid = fork();
  if (pid == 0) {
    if (chdir(cwd.c_str()) != 0) _exit(127);
    const int out = open((tag + ".out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = open((tag + ".err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(out, 1);
    dup2(err, 2);
    std::vector<std::string> all = {tuneq_binary().string()};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

inline Outcome wait_tuneq(pid_t pid, const std::filesystem::path& cwd, const std::string& tag) {
  int status = 0;
  waitpid(pid, &status, 0);
  Outcome o;
  o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  o.out = slurp(cwd / (tag + ".out"));
  o.err = slurp(cwd / (tag + ".err"));
  return o;
}

inline Outcome run_tuneq(const std::vector<std::string>& args, const std::filesystem::path& cwd) {
  static int counter = 0;
  const std::string tag = "call" + std::to_string(counter++);
  return wait_tuneq(spawn_tuneq(args, cwd, tag), cwd, tag);
}

}  // namespace tuneq::testing
