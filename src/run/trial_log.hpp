// The trial's log file: appending whole buffers, and reading its last lines for error messages.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace tuneq::detail {

// Writes all of `data` to fd (retrying short writes and EINTR). Errors are dropped: a full disk
// loses log lines, not the experiment.
void write_all(int fd, std::string_view data);

// The last `lines` lines of the file, without the final newline; "" if it is empty or unreadable.
// Looks at the last 1 MiB at most.
std::string log_tail(const std::filesystem::path& path, std::size_t lines);

}  // namespace tuneq::detail
