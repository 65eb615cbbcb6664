#include "store/experiment_lock.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <optional>
#include <string>
#include <utility>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "store/test_temp_dir.hpp"
#include "tuneq/error.hpp"

namespace tuneq::store {
namespace {

using testing::TempDir;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The refusal message acquire(dir) gives while pid holds the lock, or "" if it succeeds.
std::string refusal(const std::filesystem::path& dir) {
  try {
    ExperimentLock::acquire(dir);
  } catch (const Error& e) {
    EXPECT_TRUE(e.IsFailedPrecondition()) << e.what();
    return e.what();
  }
  return "";
}

std::string expected_refusal(const std::filesystem::path& dir, pid_t pid) {
  return fmt::format(
      "{} is in use by another tuneq process (pid {}); wait for it to finish or stop it first",
      dir.string(), pid);
}

// A child process that takes the lock on dir and holds it until told to exit (or killed).
class LockHoldingChild {
 public:
  explicit LockHoldingChild(const std::filesystem::path& dir) {
    int ready[2];
    int quit[2];
    EXPECT_EQ(::pipe(ready), 0);
    EXPECT_EQ(::pipe(quit), 0);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(ready[0]);
      ::close(quit[1]);
      char status = 'n';
      try {
        ExperimentLock lock = ExperimentLock::acquire(dir);
        status = 'y';
        (void)!::write(ready[1], &status, 1);
        char ignored;
        (void)!::read(quit[0], &ignored, 1);  // returns at the parent's byte or its exit
      } catch (...) {
        (void)!::write(ready[1], &status, 1);
      }
      ::_exit(0);  // the lock's destructor has run (or the lock was never taken)
    }
    ::close(ready[1]);
    ::close(quit[0]);
    quit_ = quit[1];
    char status = 'n';
    EXPECT_EQ(::read(ready[0], &status, 1), 1);
    ::close(ready[0]);
    holds_ = status == 'y';
  }
  ~LockHoldingChild() {
    if (quit_ >= 0) ::close(quit_);
    if (pid_ > 0) ::waitpid(pid_, nullptr, 0);
  }
  LockHoldingChild(const LockHoldingChild&) = delete;
  LockHoldingChild& operator=(const LockHoldingChild&) = delete;

  pid_t pid() const { return pid_; }
  bool holds() const { return holds_; }
  // Lets the child release the lock and exit normally; waits for it.
  void finish() {
    ::close(std::exchange(quit_, -1));
    ::waitpid(std::exchange(pid_, -1), nullptr, 0);
  }
  // SIGKILL: no destructor runs, the pid stays in the file; waits for it.
  void kill() {
    ::kill(pid_, SIGKILL);
    ::waitpid(std::exchange(pid_, -1), nullptr, 0);
  }

 private:
  pid_t pid_ = -1;
  int quit_ = -1;
  bool holds_ = false;
};

TEST(ExperimentLock, WritesTheHolderPidAndClearsItOnRelease) {
  TempDir dir;
  {
    ExperimentLock lock = ExperimentLock::acquire(dir.path());
    EXPECT_TRUE(lock.held());
    EXPECT_EQ(lock.path(), dir / "lock");
    EXPECT_EQ(read_file(dir / "lock"), fmt::format("{}\n", ::getpid()));
  }
  EXPECT_EQ(read_file(dir / "lock"), "");
  EXPECT_EQ(refusal(dir.path()), "");  // free again
}

TEST(ExperimentLock, ASecondLockInTheSameProcessIsRefused) {
  TempDir dir;
  ExperimentLock lock = ExperimentLock::acquire(dir.path());
  EXPECT_EQ(refusal(dir.path()), expected_refusal(dir.path(), ::getpid()));
}

TEST(ExperimentLock, AnotherProcessHoldingItIsNamedByPid) {
  TempDir dir;
  LockHoldingChild child(dir.path());
  ASSERT_TRUE(child.holds());
  EXPECT_EQ(refusal(dir.path()), expected_refusal(dir.path(), child.pid()));
  child.finish();
  EXPECT_EQ(refusal(dir.path()), "");
}

TEST(ExperimentLock, AKilledHolderLeavesItFree) {
  TempDir dir;
  LockHoldingChild child(dir.path());
  ASSERT_TRUE(child.holds());
  const pid_t pid = child.pid();
  child.kill();
  EXPECT_EQ(read_file(dir / "lock"), fmt::format("{}\n", pid));  // stale pid, no lock
  ExperimentLock lock = ExperimentLock::acquire(dir.path());
  EXPECT_EQ(read_file(dir / "lock"), fmt::format("{}\n", ::getpid()));
}

TEST(ExperimentLock, MovingKeepsItHeldUntilTheLastOwnerGoes) {
  TempDir dir;
  TempDir other_dir;
  std::optional<ExperimentLock> outer;
  {
    ExperimentLock lock = ExperimentLock::acquire(dir.path());
    outer.emplace(std::move(lock));
    EXPECT_FALSE(lock.held());  // NOLINT(bugprone-use-after-move): moved-from state is defined
  }
  EXPECT_NE(refusal(dir.path()), "");
  ExperimentLock other = ExperimentLock::acquire(other_dir.path());
  other = std::move(*outer);  // releases other_dir's lock, takes over dir's
  outer.reset();
  EXPECT_NE(refusal(dir.path()), "");
  EXPECT_EQ(refusal(other_dir.path()), "");
  { ExperimentLock last = std::move(other); }
  EXPECT_EQ(refusal(dir.path()), "");
}

TEST(ExperimentLock, AMissingDirectoryIsIoNamingTheLockFile) {
  TempDir dir;
  try {
    ExperimentLock::acquire(dir / "missing");
    FAIL() << "acquired a lock in a missing directory";
  } catch (const Error& e) {
    EXPECT_TRUE(e.IsIo());
    EXPECT_NE(std::string(e.what()).find((dir / "missing" / "lock").string()), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace tuneq::store
