#include "run/trial_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "run/child_process.hpp"

namespace tuneq::detail {

void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

std::string log_tail(const std::filesystem::path& path, std::size_t lines) {
  constexpr std::size_t kMaxTailBytes = std::size_t{1} << 20;
  const UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  const off_t size = fd ? lseek(fd.get(), 0, SEEK_END) : -1;
  if (size <= 0 || lines == 0) return "";
  const std::size_t want = std::min(static_cast<std::size_t>(size), kMaxTailBytes);
  std::string tail(want, '\0');
  if (pread(fd.get(), tail.data(), want, size - static_cast<off_t>(want)) !=
      static_cast<ssize_t>(want)) {
    return "";
  }
  while (!tail.empty() && tail.back() == '\n') tail.pop_back();
  std::size_t begin = 0;                 // where the last `lines` lines begin
  std::size_t search_end = tail.size();  // look for newlines before this index
  for (std::size_t found = 0; found < lines && search_end > 0; ++found) {
    const std::size_t nl = tail.rfind('\n', search_end - 1);
    if (nl == std::string::npos) {
      begin = 0;
      break;
    }
    begin = nl + 1;
    search_end = nl;
  }
  return tail.substr(begin);
}

}  // namespace tuneq::detail
