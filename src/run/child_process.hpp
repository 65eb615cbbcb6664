// One child process leading its own process group, with stdin and stdout connected to us.
// Linux only (fork/execve, pidfd when the kernel has it).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tuneq::detail {

// An owned file descriptor, closed on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

struct SpawnRequest {
  std::vector<std::string> argv;  // argv[0] is looked up in PATH (of the environment) unless it
                                  // has a '/'
  std::vector<std::string> env;   // "NAME=value" each: the environment, after *base_env
  // The child's working directory; the child creates it (not its parents) when it is missing.
  std::filesystem::path cwd;
  // Borrowed, may be null: the part of the environment every child shares, "NAME=value" each,
  // built once by the caller instead of per spawn. REQUIRES: no name is both here and in env.
  const std::vector<std::string>* base_env = nullptr;
};

// A running child. Its stdin is a socket (our end written with MSG_NOSIGNAL|MSG_DONTWAIT, so a
// child that never reads can neither block us nor raise SIGPIPE), its stdout a pipe whose read end
// is non-blocking. The child runs in a new process group whose id is its pid; signals go to the
// whole group. Destroying an unreaped ChildProcess SIGKILLs the group and reaps the child.
class ChildProcess {
 public:
  // Starts the child, which creates its directory and execs. When it cannot (directory, program
  // not found or not executable) it exits with status 127 and start_failure() says why once it
  // has been reaped. Throws Error::Io only when we cannot clone or make pipes.
  static std::unique_ptr<ChildProcess> spawn(const SpawnRequest& request);

  ChildProcess(pid_t pid, UniqueFd in, UniqueFd out, UniqueFd err, UniqueFd exit_fd,
               UniqueFd failure)
      : pid_(pid),
        stdin_(std::move(in)),
        stdout_(std::move(out)),
        stderr_(std::move(err)),
        exit_fd_(std::move(exit_fd)),
        failure_(std::move(failure)) {}
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  int stdout_fd() const { return stdout_.get(); }
  // The read end of the child's stderr pipe (non-blocking), -1 once closed.
  int stderr_fd() const { return stderr_.get(); }
  // Readable once the child has exited (a pidfd); -1 when the kernel has no pidfd_open, in which
  // case callers poll try_reap() now and then.
  int exit_fd() const { return exit_fd_.get(); }

  // Writes all of `data` to the child's stdin or nothing: false when the socket is full or the
  // child has closed its end.
  bool send(std::string_view data);
  void close_stdin() { stdin_.reset(); }
  void close_stdout() { stdout_.reset(); }
  void close_stderr() { stderr_.reset(); }

  // Sends `sig` to every process of the group (also after the leader has been reaped; members
  // may outlive it). Nothing happens when the group is gone.
  void signal_group(int sig) const;

  // The leader's wait status once it has exited (waitpid WNOHANG), else nullopt.
  std::optional<int> try_reap();
  bool reaped() const { return reaped_; }

  // Why the child never ran the program ("cannot execute 'x': No such file or directory"), or
  // nullopt when it did. REQUIRES: reaped() (before that, the answer may not be there yet).
  std::optional<std::string> start_failure();

 private:
  pid_t pid_;
  bool reaped_ = false;
  UniqueFd stdin_;
  UniqueFd stdout_;
  UniqueFd stderr_;
  UniqueFd exit_fd_;
  UniqueFd failure_;  // close-on-exec pipe: EOF if the exec happened, else a failure record
  std::string program_, cwd_;  // for start_failure's message
};

// "exit status 3" / "killed by signal 9" for a wait status; and the exit code the executor
// reports: the status, or -signal.
std::string describe_wait_status(int status);
int exit_code_of(int status);

}  // namespace tuneq::detail
