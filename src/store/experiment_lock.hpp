// One tuneq process per experiment directory: `tuneq run` and `tuneq resume` hold an exclusive
// lock on DIR/lock for as long as they write DIR/events.db, so two tuners never interleave
// events. Readers (`tuneq status/best/export`) do not take it.
//
// The lock is flock(2) on DIR/lock, which also names the holder's pid for the refusal message.
// The kernel releases it when the holder exits in any way (SIGKILL included), so a stale file
// never blocks a resume. The descriptor is close-on-exec: trial processes do not inherit it.
#pragma once

#include <filesystem>
#include <utility>

namespace tuneq::store {

class ExperimentLock {
 public:
  // Creates DIR/lock if needed, locks it and writes this process's pid into it.
  // Errors: FailedPrecondition("DIR is in use by another tuneq process (pid N); ...") when held
  // (also by another ExperimentLock of this process); Io when DIR/lock cannot be opened.
  static ExperimentLock acquire(const std::filesystem::path& dir);

  ExperimentLock(ExperimentLock&& other) noexcept
      : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)) {}
  ExperimentLock& operator=(ExperimentLock&& other) noexcept;
  ExperimentLock(const ExperimentLock&) = delete;
  ExperimentLock& operator=(const ExperimentLock&) = delete;
  // Releases the lock (clearing the pid first).
  ~ExperimentLock() { release(); }

  // DIR/lock.
  const std::filesystem::path& path() const { return path_; }
  // False only for a moved-from lock.
  bool held() const { return fd_ >= 0; }

 private:
  ExperimentLock(std::filesystem::path path, int fd) : path_(std::move(path)), fd_(fd) {}
  void release() noexcept;

  std::filesystem::path path_;
  int fd_ = -1;
};

}  // namespace tuneq::store
