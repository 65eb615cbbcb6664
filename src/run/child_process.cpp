// Spawning with clone(CLONE_VM | CLONE_VFORK) + execve, the way posix_spawn does it (posix_spawn
// itself cannot set PR_SET_PDEATHSIG): the child borrows our memory, on a stack of its own,
// until it execs, so there is no page-table copy and no copy-on-write faults afterwards, and we
// wait only until the child has exec'd. (With fork, bench/engine_overhead.sh ran 1.4x longer.)
// Everything the child needs (argv, envp, the candidate paths of the PATH search, its directory)
// is prepared before, so that the child makes only async-signal-safe calls and writes nothing of
// ours but its own stack, which keeps spawning safe in a multi-threaded host. Failures before
// exec travel back through a close-on-exec pipe that is read after the child has been reaped:
// EOF means the exec succeeded, a {stage, errno} record means it did not.
#include "run/child_process.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "tuneq/error.hpp"

namespace tuneq::detail {
namespace {

// The cloned child runs on a stack AddressSanitizer does not know and shares our memory (and
// with it ASan's shadow) until it execs: its two functions stay uninstrumented.
#if defined(__SANITIZE_ADDRESS__)
#define TUNEQ_CHILD_CODE __attribute__((no_sanitize_address))
#else
#define TUNEQ_CHILD_CODE
#endif

enum class Stage : int { kMkdir = 1, kChdir, kExec };
struct SpawnFailure {
  Stage stage;
  int error;
};

// Moves fd above 0..2 so that the child's dup2 onto 0, 1 and 2 cannot clobber it (possible when
// the host runs with a closed stdin/stdout).
UniqueFd above_stdio(int fd) {
  if (fd < 0) throw Error::Io(fmt::format("cannot create a pipe: {}", std::strerror(errno)));
  if (fd > 2) return UniqueFd(fd);
  const int moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  const int saved = errno;
  close(fd);
  if (moved < 0) throw Error::Io(fmt::format("cannot move a descriptor: {}", std::strerror(saved)));
  return UniqueFd(moved);
}

// Where execvp would look for `program`, given the child's environment.
std::vector<std::string> exec_candidates(const std::string& program, const SpawnRequest& request) {
  if (program.find('/') != std::string::npos) return {program};
  std::string path = "/usr/local/bin:/usr/bin:/bin";
  for (const auto* part : {request.base_env, &request.env}) {
    if (part == nullptr) continue;
    for (const std::string& entry : *part) {
      if (entry.starts_with("PATH=")) path = entry.substr(5);
    }
  }
  std::vector<std::string> candidates;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = std::min(path.find(':', start), path.size());
    const std::string dir = path.substr(start, end - start);
    candidates.push_back(dir.empty() ? program : dir + "/" + program);  // "" is the cwd
    if (end == path.size()) break;
    start = end + 1;
  }
  return candidates;
}

std::vector<char*> c_strings(const std::vector<std::string>& strings,
                             const std::vector<std::string>* first = nullptr) {
  std::vector<char*> out;
  out.reserve((first != nullptr ? first->size() : 0) + strings.size() + 1);
  if (first != nullptr) {
    for (const std::string& s : *first) out.push_back(const_cast<char*>(s.c_str()));
  }
  for (const std::string& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

// In the forked child: become a group leader, wire up 0/1/2, enter cwd, exec. Never returns.
[[noreturn]] TUNEQ_CHILD_CODE void run_child(int in, int out, int err, int report, const char* cwd,
                                             const std::vector<char*>& candidates,
                                             char* const* argv, char* const* envp, pid_t parent) {
  setpgid(0, 0);
  // If tuneq dies (even by SIGKILL) the trial goes with it instead of training on unobserved
  // and racing the trial that `tuneq resume` restarts in the same directory.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  // A parent killed before that prctl (SIGKILL ends even a vfork wait) sends no signal: we would
  // train on as an orphan, next to the trial `tuneq resume` restarts in the same directory.
  if (getppid() != parent) _exit(127);
  // Handlers of the host must not run here, and signals it ignores for itself (SIGPIPE often)
  // must not stay ignored in the trial.
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    struct sigaction current {};
    if (sigaction(sig, nullptr, &current) != 0) continue;
    if (sig == SIGPIPE || sig == SIGXFSZ || current.sa_handler != SIG_IGN) {
      sigaction(sig, &default_action, nullptr);
    }
  }
  dup2(in, 0);
  dup2(out, 1);
  dup2(err, 2);
  SpawnFailure failure{Stage::kMkdir, 0};
  if (mkdir(cwd, 0777) != 0 && errno != EEXIST) {
    failure.error = errno;
  } else if (failure.stage = Stage::kChdir; chdir(cwd) != 0) {
    failure.error = errno;
  } else {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    failure.stage = Stage::kExec;
    bool denied = false;
    for (char* candidate : candidates) {
      if (candidate == nullptr) break;
      execve(candidate, argv, envp);
      failure.error = errno;
      denied = denied || errno == EACCES;
      if (errno != ENOENT && errno != ENOTDIR && errno != EACCES) break;
    }
    if (denied && (failure.error == ENOENT || failure.error == ENOTDIR)) failure.error = EACCES;
  }
  [[maybe_unused]] const ssize_t ignored = write(report, &failure, sizeof failure);
  _exit(127);
}

struct ChildArgs {
  int in, out, err, report;
  pid_t parent;
  const char* cwd;
  const std::vector<char*>* candidates;
  char* const* argv;
  char* const* envp;
};

TUNEQ_CHILD_CODE int child_entry(void* arg) {
  const auto* a = static_cast<const ChildArgs*>(arg);
  run_child(a->in, a->out, a->err, a->report, a->cwd, *a->candidates, a->argv, a->envp, a->parent);
}

// The child's stack until it execs (run_child and the syscalls it makes need a few KiB).
constexpr std::size_t kChildStackWords = (std::size_t{64} << 10) / sizeof(std::max_align_t);

}  // namespace

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) close(fd_);
  fd_ = fd;
}

std::unique_ptr<ChildProcess> ChildProcess::spawn(const SpawnRequest& request) {
  if (request.argv.empty() || request.argv[0].empty()) {
    throw Error::Io("cannot execute the command: the program name is empty");
  }
  const std::vector<std::string> candidate_paths = exec_candidates(request.argv[0], request);
  const std::vector<char*> candidates = c_strings(candidate_paths);
  const std::vector<char*> argv = c_strings(request.argv);
  const std::vector<char*> envp = c_strings(request.env, request.base_env);
  std::string cwd = request.cwd.string();

  int out_pipe[2];
  int err_pipe[2];
  int in_pair[2];
  int report_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) out_pipe[0] = out_pipe[1] = -1;
  UniqueFd out_read = above_stdio(out_pipe[0]);
  UniqueFd out_write = above_stdio(out_pipe[1]);
  if (pipe2(err_pipe, O_CLOEXEC) != 0) err_pipe[0] = err_pipe[1] = -1;
  UniqueFd err_read = above_stdio(err_pipe[0]);
  UniqueFd err_write = above_stdio(err_pipe[1]);
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in_pair) != 0)
    in_pair[0] = in_pair[1] = -1;
  UniqueFd in_write = above_stdio(in_pair[0]);
  UniqueFd in_read = above_stdio(in_pair[1]);
  if (pipe2(report_pipe, O_CLOEXEC | O_NONBLOCK) != 0) report_pipe[0] = report_pipe[1] = -1;
  UniqueFd report_read = above_stdio(report_pipe[0]);
  UniqueFd report_write = above_stdio(report_pipe[1]);

  sigset_t all;
  sigset_t previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);  // no host handler may run in the child
  ChildArgs args{in_read.get(), out_write.get(), err_write.get(), report_write.get(), getpid(),
                 cwd.c_str(),   &candidates,     argv.data(),     envp.data()};
  const auto stack = std::make_unique_for_overwrite<std::max_align_t[]>(kChildStackWords);
  const pid_t pid =
      clone(child_entry, stack.get() + kChildStackWords, CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
  const int fork_error = errno;
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  if (pid < 0) {
    throw Error::Io(
        fmt::format("cannot start '{}': clone: {}", request.argv[0], std::strerror(fork_error)));
  }
  fcntl(out_read.get(), F_SETFL, fcntl(out_read.get(), F_GETFL) | O_NONBLOCK);
  fcntl(err_read.get(), F_SETFL, fcntl(err_read.get(), F_GETFL) | O_NONBLOCK);
  // pidfd_open has no glibc wrapper before 2.36; -1 (ENOSYS on old kernels) is handled by callers.
  const long exit_fd = syscall(SYS_pidfd_open, pid, 0);
  auto child = std::make_unique<ChildProcess>(
      pid, std::move(in_write), std::move(out_read), std::move(err_read),
      UniqueFd(static_cast<int>(exit_fd)), std::move(report_read));
  child->program_ = request.argv[0];
  child->cwd_ = std::move(cwd);
  return child;
}

std::optional<std::string> ChildProcess::start_failure() {
  if (!failure_) return std::nullopt;
  SpawnFailure failure{};
  ssize_t got = 0;
  do {
    got = read(failure_.get(), &failure, sizeof failure);
  } while (got < 0 && errno == EINTR);
  failure_.reset();
  if (got != static_cast<ssize_t>(sizeof failure)) return std::nullopt;  // EOF: it exec'd
  const char* why = std::strerror(failure.error);
  switch (failure.stage) {
    case Stage::kMkdir:
      return fmt::format("cannot create the trial directory '{}': {}", cwd_, why);
    case Stage::kChdir:
      return fmt::format("cannot enter the trial directory '{}': {}", cwd_, why);
    case Stage::kExec:
      break;
  }
  return fmt::format("cannot execute '{}': {}", program_, why);
}

ChildProcess::~ChildProcess() {
  if (reaped_) return;
  signal_group(SIGKILL);
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
}

bool ChildProcess::send(std::string_view data) {
  if (!stdin_) return false;
  const ssize_t sent = ::send(stdin_.get(), data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  return sent == static_cast<ssize_t>(data.size());
}

void ChildProcess::signal_group(int sig) const {
  kill(-pid_, sig);
}

std::optional<int> ChildProcess::try_reap() {
  if (reaped_) return std::nullopt;
  int status = 0;
  pid_t got = 0;
  do {
    got = waitpid(pid_, &status, WNOHANG);
  } while (got < 0 && errno == EINTR);
  if (got == 0) return std::nullopt;
  reaped_ = true;
  exit_fd_.reset();
  // ECHILD: someone else reaped it (a host that ignores SIGCHLD); the status is lost.
  if (got < 0) return W_EXITCODE(255, 0);
  return status;
}

std::string describe_wait_status(int status) {
  if (WIFSIGNALED(status)) return fmt::format("killed by signal {}", WTERMSIG(status));
  return fmt::format("exit status {}", WEXITSTATUS(status));
}

int exit_code_of(int status) {
  return WIFSIGNALED(status) ? -WTERMSIG(status) : WEXITSTATUS(status);
}

}  // namespace tuneq::detail
