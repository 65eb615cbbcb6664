#include "store/experiment_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "tuneq/error.hpp"

namespace tuneq::store {

namespace {

// The pid the holder wrote, or "unknown" if it has not written it yet (it writes right after
// locking) or the file was edited.
std::string read_holder_pid(int fd) {
  char buffer[32] = {};
  const ssize_t n = ::pread(fd, buffer, sizeof buffer - 1, 0);
  if (n <= 0) return "unknown";
  std::string pid(buffer, static_cast<std::size_t>(n));
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) return "unknown";
  return pid;
}

}  // namespace

ExperimentLock ExperimentLock::acquire(const std::filesystem::path& dir) {
  std::filesystem::path path = dir / "lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw Error::Io(fmt::format("{}: {}", path.string(), std::strerror(errno)));
  }
  int rc;
  do {
    rc = ::flock(fd, LOCK_EX | LOCK_NB);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    const int err = errno;
    if (err == EWOULDBLOCK) {
      const std::string pid = read_holder_pid(fd);
      ::close(fd);
      throw Error::FailedPrecondition(fmt::format(
          "{} is in use by another tuneq process (pid {}); wait for it to finish or stop it first",
          dir.string(), pid));
    }
    ::close(fd);
    throw Error::Io(fmt::format("{}: {}", path.string(), std::strerror(err)));
  }
  ExperimentLock lock(std::move(path), fd);  // from here on, an error releases the lock
  const std::string pid = fmt::format("{}\n", ::getpid());
  if (::ftruncate(fd, 0) != 0 ||
      ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    throw Error::Io(fmt::format("{}: {}", lock.path_.string(), std::strerror(errno)));
  }
  return lock;
}

ExperimentLock& ExperimentLock::operator=(ExperimentLock&& other) noexcept {
  if (this != &other) {
    release();
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

void ExperimentLock::release() noexcept {
  if (fd_ < 0) return;
  // Clear the pid while still holding the lock, so the file never names a process that has
  // let go. The file itself stays: removing it would race with a process that just opened it.
  [[maybe_unused]] const int cleared = ::ftruncate(fd_, 0);
  ::close(fd_);  // releases the flock
  fd_ = -1;
}

}  // namespace tuneq::store
