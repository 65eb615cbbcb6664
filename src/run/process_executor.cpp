// Process executor: each launch is a child process in its own process group, speaking the line
// protocol of docs/protocol.md. Single-threaded: everything happens inside the caller's calls
// (launch, reply, cancel, next_event); no threads, no signal handlers.
//
//   launch      expand the command and spawn it (ChildProcess::spawn): the child creates
//               <trials_dir>/<id>/ and execs there, its stdout and stderr piped to us.
//               <id>/trial.log receives its stderr and its non-report stdout lines; it is created
//               at the first such byte, so a silent trial costs no file.
//   next_event  poll() every trial's stdout and stderr pipes and exit pidfd. Report lines become
//               kResult events (queued; handed out one per call), other lines go to trial.log.
//               When a leader exits: kill what is left of its group, drain its pipes, then
//               kExited.
//   reply       one write of "continue\n" / "pause\n" / "stop\n" to the trial's stdin (dropped if
//               the trial does not read and the socket is full). After pause/stop the trial has
//               stop_grace to exit, then SIGTERM to its group, then after kill_grace SIGKILL.
//   cancel      SIGTERM to the group now, SIGKILL after kill_grace; no reply is written.
//
// Timers (stop grace, kill grace, time limit) run on the injected clock and fire inside
// next_event. A reply(pause/stop) or cancel drops the trial's kResult events not yet handed out:
// they were reported after the decision from the loop's point of view.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstring>
#include <deque>
#include <limits>
#include <optional>
#include <string_view>
#include <thread>
#include <unordered_map>

#include <fmt/format.h>

#include "run/checkpoint_store.hpp"
#include "run/child_process.hpp"
#include "run/line_protocol.hpp"
#include "run/trial_environment.hpp"
#include "run/trial_log.hpp"
#include "tuneq/error.hpp"
#include "tuneq/process.hpp"

extern char** environ;  // NOLINT: the POSIX way to read the whole environment

namespace tuneq {
namespace {

namespace fs = std::filesystem;
using detail::ChildProcess;
using detail::UniqueFd;

constexpr std::size_t kReadChunk = std::size_t{64} << 10;
using SteadyClock = std::chrono::steady_clock;
// How long after a reply we keep polling without sleeping, and the round trip under which a
// trial counts as chatty (see spin_for_answer).
constexpr std::chrono::microseconds kSpin{100};
constexpr double kInf = std::numeric_limits<double>::infinity();
// Without pidfds (kernels before 5.3) exits are found by a waitpid sweep this often (seconds).
constexpr double kSweepInterval = 0.05;

// What a polled descriptor of a trial is.
enum class Pipe : std::uint8_t { kStdout, kStderr, kExit };

struct Trial {
  TrialId id = 0;
  fs::path dir;  // absolute
  std::unique_ptr<ChildProcess> child;
  UniqueFd log;  // trial.log, O_APPEND; opened at the first line we write to it
  detail::LineBuffer out;
  std::size_t unanswered = 0;  // kResult events made and not yet replied to
  bool told_to_end = false;    // told pause/stop or cancelled: exit is ok, later reports ignored
  bool timed_out = false;
  bool staged_restore = false;  // launched with a restore: a copy may be in <dir>/tuneq-restore
  double time_limit_at = kInf;
  double term_at = kInf;  // SIGTERM to the group
  double kill_at = kInf;  // SIGKILL to the group
};

class ProcessExecutor final : public Executor {
 public:
  ProcessExecutor(ProcessExecutorOptions options, const Clock& clock)
      : options_(std::move(options)), clock_(clock), environment_(environ, options_.env) {
    (void)command_placeholders(options_.command);  // throws on an empty or malformed template
    if (options_.trials_dir.empty()) {
      throw Error::InvalidArgument("process executor: trials_dir must be set");
    }
    check_seconds("stop_grace", options_.stop_grace);
    check_seconds("kill_grace", options_.kill_grace);
    check_seconds("time_limit", options_.time_limit);
  }

  // Kills every remaining process group and reaps the leaders (ChildProcess's destructor).
  ~ProcessExecutor() override = default;

  void launch(const LaunchRequest& request) override {
    if (trials_.contains(request.trial)) {
      throw Error::FailedPrecondition(
          fmt::format("process executor: trial {} is already running", request.trial));
    }
    std::vector<std::string> argv = expand_command(options_.command, request.config);
    auto trial = std::make_unique<Trial>();
    trial->id = request.trial;
    try {  // from here on, a trial that cannot start is a failed trial, not a failed experiment
      trial->dir = fs::absolute(options_.trials_dir / std::to_string(request.trial));
      trial->dir = trial->dir.lexically_normal();
      if (!trials_dir_made_) {
        std::error_code ec;
        fs::create_directories(trial->dir.parent_path(), ec);
        if (ec) {
          throw Error::Io(fmt::format("cannot create the trial directory '{}': {}",
                                      trial->dir.string(), ec.message()));
        }
        trials_dir_made_ = true;
      }
      std::string restore;
      if (request.restore && !request.restore->empty()) {
        // Another trial's checkpoint is copied into this trial's directory now (PBT's exploit),
        // so the directory must exist before the child makes it.
        std::error_code ec;
        fs::create_directories(trial->dir, ec);
        restore = detail::stage_restore(trial->dir, request.restore);
        trial->staged_restore = true;
      }
      trial->child = ChildProcess::spawn({std::move(argv),
                                          environment_.for_trial(request, trial->dir, restore),
                                          trial->dir, &environment_.shared()});
    } catch (const std::exception& e) {
      ExecutorEvent exited = event(ExecutorEvent::Kind::kExited, request.trial);
      exited.ok = false;
      exited.exit_code = 127;
      exited.error = e.what();
      events_.push_back(std::move(exited));
      return;
    }
    if (options_.time_limit > 0) trial->time_limit_at = clock_.now() + options_.time_limit;
    trials_.emplace(request.trial, std::move(trial));
  }

  void reply(TrialId id, Action action) override {
    Trial* trial = find(id);
    if (trial == nullptr || trial->told_to_end || trial->timed_out) return;
    if (trial->unanswered > 0) {
      --trial->unanswered;
      trial->child->send(detail::reply_line(action));  // false: not reading; the word is dropped
      last_reply_ = SteadyClock::now();
      last_replied_ = id;
      if (chatty_ && trials_.size() < cpus_) spin_until_ = last_reply_ + kSpin;
    }
    if (action == Action::kContinue) return;
    trial->told_to_end = true;
    trial->term_at = clock_.now() + options_.stop_grace;
    drop_queued_results(id);
  }

  void cancel(TrialId id) override {
    Trial* trial = find(id);
    if (trial == nullptr || trial->timed_out) return;
    trial->told_to_end = true;
    drop_queued_results(id);
    terminate(*trial, clock_.now());
  }

  std::optional<ExecutorEvent> next_event(double deadline) override {
    // A clock that does not move (a ManualClock nobody advances) must not make us wait forever:
    // real waiting is also capped at the time the deadline was away when we were called.
    const auto called = std::chrono::steady_clock::now();
    const double budget = deadline - clock_.now();
    while (true) {
      const double now = clock_.now();
      enforce_timers(now);
      if (!events_.empty()) return pop_event();
      if (trials_.empty()) return std::nullopt;
      const double waited =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - called).count();
      const double remaining = std::min(deadline - now, budget - waited);
      poll_trials(std::max(0.0, std::min(remaining, next_timer() - now)));
      if (!events_.empty()) return pop_event();
      if (!(remaining > 0)) return std::nullopt;
    }
  }

 private:
  static void check_seconds(const char* name, double value) {
    if (!std::isfinite(value) || value < 0) {
      throw Error::InvalidArgument(fmt::format(
          "process executor: {} must be a number of seconds >= 0, got {}", name, value));
    }
  }

  Trial* find(TrialId id) {
    const auto it = trials_.find(id);
    return it == trials_.end() ? nullptr : it->second.get();
  }

  ExecutorEvent event(ExecutorEvent::Kind kind, TrialId id) const {
    ExecutorEvent e;
    e.kind = kind;
    e.trial = id;
    e.time = clock_.now();
    return e;
  }

  ExecutorEvent pop_event() {
    ExecutorEvent e = std::move(events_.front());
    events_.pop_front();
    return e;
  }

  void discard_checkpoint(TrialId owner, const std::string& checkpoint) override {
    detail::remove_checkpoint(fs::absolute(options_.trials_dir / std::to_string(owner)),
                              checkpoint);
  }

  void drop_queued_results(TrialId id) {
    std::erase_if(events_, [id](const ExecutorEvent& e) {
      return e.trial == id && e.kind == ExecutorEvent::Kind::kResult;
    });
  }

  // SIGTERM to the group now and SIGKILL after kill_grace, unless that is already under way.
  void terminate(Trial& trial, double now) const {
    trial.term_at = kInf;
    if (trial.kill_at < kInf) return;
    trial.child->signal_group(SIGTERM);
    trial.kill_at = now + options_.kill_grace;
  }

  void enforce_timers(double now) {
    for (auto& [id, trial] : trials_) {
      if (now >= trial->time_limit_at && !trial->told_to_end && !trial->timed_out) {
        trial->timed_out = true;
        drop_queued_results(id);
        terminate(*trial, now);
      }
      if (now >= trial->term_at) terminate(*trial, now);
      if (now >= trial->kill_at) {
        trial->child->signal_group(SIGKILL);
        trial->kill_at = kInf;
      }
    }
  }

  double next_timer() const {
    double next = kInf;
    for (const auto& [id, trial] : trials_) {
      if (!trial->told_to_end && !trial->timed_out) next = std::min(next, trial->time_limit_at);
      next = std::min({next, trial->term_at, trial->kill_at});
    }
    return next;
  }

  // One poll() over all trials for at most `wait` seconds (inf: until something happens), then
  // handles what it found.
  void poll_trials(double wait) {
    fds_.clear();
    owners_.clear();
    bool sweep = false;
    for (const auto& [id, trial] : trials_) {
      const ChildProcess& child = *trial->child;
      if (child.stdout_fd() >= 0) add_poll(child.stdout_fd(), id, Pipe::kStdout);
      if (child.stderr_fd() >= 0) add_poll(child.stderr_fd(), id, Pipe::kStderr);
      if (child.exit_fd() >= 0) {
        add_poll(child.exit_fd(), id, Pipe::kExit);
      } else {
        sweep = true;
      }
    }
    if (sweep) wait = std::min(wait, kSweepInterval);
    const int timeout_ms =
        wait >= INT_MAX / 1000.0 ? -1 : static_cast<int>(std::ceil(wait * 1000.0));
    const int spun = spin_for_answer();
    if (spun < 0 || (spun == 0 && poll(fds_.data(), fds_.size(), timeout_ms) < 0)) {
      return;  // EINTR: the caller loops
    }
    for (std::size_t i = 0; i < fds_.size(); ++i) {
      if (fds_[i].revents == 0) continue;
      Trial* trial = find(owners_[i].first);
      if (trial == nullptr) continue;  // retired earlier in this loop
      switch (owners_[i].second) {
        case Pipe::kExit:
          retire_if_exited(*trial);
          break;
        case Pipe::kStdout:
          if (trial->child->stdout_fd() >= 0) read_output(*trial);
          break;
        case Pipe::kStderr:
          if (trial->child->stderr_fd() >= 0) read_stderr(*trial);
          break;
      }
    }
    if (sweep) {
      std::vector<TrialId> ids;
      for (const auto& [id, trial] : trials_) {
        if (trial->child->exit_fd() < 0) ids.push_back(id);
      }
      for (TrialId id : ids) retire_if_exited(*find(id));
    }
  }

  // Adaptive busy-polling. A trial that reports again within kSpin of our last reply is in a
  // tight report loop; sleeping in poll() between its reports would cost two wake-ups of an
  // idle CPU per round trip (tens of microseconds each on a VM). So for up to kSpin after a
  // reply, as long as the previous round trip was that short and a CPU is left for us beside
  // every running trial, we poll without sleeping (spinning on a CPU a trial needs slows it
  // down). Trials that report less often never trigger it. Returns poll()'s count (0: nothing
  // yet, sleep).
  int spin_for_answer() {
    if (!spin_until_) return 0;
    const SteadyClock::time_point until = *spin_until_;
    spin_until_.reset();
    int ready = 0;
    while (ready == 0 && SteadyClock::now() < until) {
      ready = poll(fds_.data(), fds_.size(), 0);
    }
    return ready;
  }

  void add_poll(int fd, TrialId id, Pipe pipe) {
    fds_.push_back({fd, POLLIN, 0});
    owners_.emplace_back(id, pipe);
  }

  // One read of the trial's stderr, appended to trial.log as it is; false once the pipe is done.
  bool read_stderr(Trial& trial, bool drain = false) {
    char* room = stderr_buffer_.data();
    const ssize_t got = read(trial.child->stderr_fd(), room, stderr_buffer_.size());
    if (got > 0) {
      append_log(trial, std::string_view(room, static_cast<std::size_t>(got)));
      return true;
    }
    if (got < 0 && (errno == EINTR || (errno == EAGAIN && !drain))) return true;
    trial.child->close_stderr();
    return false;
  }

  // One read of the trial's stdout; false once the pipe is done (EOF, error, or drained dry with
  // `drain` set).
  bool read_output(Trial& trial, bool drain = false) {
    char* room = trial.out.prepare(kReadChunk);
    const ssize_t got = read(trial.child->stdout_fd(), room, kReadChunk);
    if (got > 0) {
      trial.out.commit(static_cast<std::size_t>(got));
      log_lines_.clear();
      trial.out.for_each_line([&](std::string_view line) { handle_line(trial, line); });
      append_log(trial, log_lines_);
      return true;
    }
    if (got < 0 && (errno == EINTR || (errno == EAGAIN && !drain))) return true;
    log_lines_.clear();
    if (std::optional<std::string> rest = trial.out.take_rest()) handle_line(trial, *rest);
    append_log(trial, log_lines_);
    trial.child->close_stdout();
    return false;
  }

  void handle_line(Trial& trial, std::string_view line) {
    if (!detail::is_report_line(line) || trial.told_to_end || trial.timed_out) {
      log_lines_.append(line).push_back('\n');
      return;
    }
    std::string error;
    std::optional<detail::Report> report =
        detail::parse_report(line.substr(detail::kReportPrefix.size()), error);
    if (!report) {
      if (options_.warn) {
        options_.warn(
            fmt::format("trial {}: malformed report line ignored: {} ({})", trial.id, line, error));
      }
      log_lines_.append(line).push_back('\n');
      return;
    }
    ExecutorEvent result = event(ExecutorEvent::Kind::kResult, trial.id);
    result.metrics = std::move(report->metrics);
    if (report->checkpoint) {
      result.checkpoint = (trial.dir / *report->checkpoint).lexically_normal().string();
    }
    ++trial.unanswered;
    if (trial.id == last_replied_) chatty_ = SteadyClock::now() - last_reply_ < kSpin;
    events_.push_back(std::move(result));
  }

  // Appends to trial.log, opening it the first time. Lines are dropped when the file cannot be
  // opened (the child's own start failure says why).
  static void append_log(Trial& trial, std::string_view text) {
    if (text.empty()) return;
    if (!trial.log) {
      const fs::path path = trial.dir / "trial.log";
      trial.log.reset(open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
      if (!trial.log) return;
    }
    detail::write_all(trial.log.get(), text);
  }

  // When the trial's leader has exited: kill the rest of its group, read what its pipe still
  // holds, and queue kExited.
  void retire_if_exited(Trial& trial) {
    const std::optional<int> status = trial.child->try_reap();
    if (!status) return;
    trial.child->signal_group(SIGKILL);
    if (trial.child->stdout_fd() >= 0) {
      while (read_output(trial, /*drain=*/true)) {
      }
    }
    if (trial.child->stderr_fd() >= 0) {
      while (read_stderr(trial, /*drain=*/true)) {
      }
    }
    ExecutorEvent exited = event(ExecutorEvent::Kind::kExited, trial.id);
    exited.exit_code = detail::exit_code_of(*status);
    exited.ok =
        trial.told_to_end || (!trial.timed_out && WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
    if (std::optional<std::string> failure = trial.child->start_failure()) {
      append_log(trial, fmt::format("tuneq: {}\n", *failure));
      exited.ok = false;
      exited.error = std::move(*failure);
    } else if (!exited.ok) {
      exited.error = trial.timed_out ? fmt::format("time limit {} s exceeded", options_.time_limit)
                                     : detail::describe_wait_status(*status);
      const std::string tail = detail::log_tail(trial.dir / "trial.log", options_.log_tail_lines);
      if (!tail.empty()) exited.error += "; last lines of trial.log:\n" + tail;
    }
    events_.push_back(std::move(exited));
    if (trial.staged_restore) detail::remove_restore_copy(trial.dir);
    trials_.erase(trial.id);
  }

  ProcessExecutorOptions options_;
  const Clock& clock_;
  detail::TrialEnvironment environment_;  // inherited + PYTHONUNBUFFERED + options.env
  std::unordered_map<TrialId, std::unique_ptr<Trial>> trials_;  // launched, kExited not queued
  std::deque<ExecutorEvent> events_;
  std::vector<pollfd> fds_;                       // reused by poll_trials
  std::vector<std::pair<TrialId, Pipe>> owners_;  // each fds_ entry: its trial and what it is
  std::vector<char> stderr_buffer_ = std::vector<char>(kReadChunk);
  std::string log_lines_;         // non-report lines of one read, written to trial.log at once
  bool trials_dir_made_ = false;  // trials_dir exists (made at the first launch)
  // Adaptive busy-polling (spin_for_answer).
  SteadyClock::time_point last_reply_{};
  TrialId last_replied_ = 0;
  bool chatty_ = false;  // the last trial we replied to answered within kSpin
  std::size_t cpus_ = std::max(1u, std::thread::hardware_concurrency());
  std::optional<SteadyClock::time_point> spin_until_;
};

}  // namespace

std::unique_ptr<Executor> make_process_executor(ProcessExecutorOptions options,
                                                const Clock& clock) {
  return std::make_unique<ProcessExecutor>(std::move(options), clock);
}

}  // namespace tuneq
