// The trial side of the process protocol, as the executor reads it (docs/protocol.md):
// stdout is a stream of lines; "@tuneq {json}" lines are reports, all others are the trial's log.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "tuneq/result.hpp"

namespace tuneq::detail {

inline constexpr std::string_view kReportPrefix = "@tuneq ";

// Longest line kept whole: a longer line is cut into lines of this size (so a trial printing a
// progress bar with '\r' only cannot grow our memory without bound).
inline constexpr std::size_t kMaxLineBytes = std::size_t{1} << 20;

inline bool is_report_line(std::string_view line) {
  return line.starts_with(kReportPrefix);
}

// One parsed report: numbers (and bools as 0/1, null as NaN) are metrics; "checkpoint" names a
// saved checkpoint exactly as the trial wrote it; other keys (strings, arrays, objects) are
// ignored.
struct Report {
  Metrics metrics;
  std::optional<std::string> checkpoint;
};

// Parses the JSON after the prefix. nullopt with `error` set when it is not a JSON object or its
// "checkpoint" is neither a non-empty string nor null.
std::optional<Report> parse_report(std::string_view json, std::string& error);

// The reply line for a decision: "continue\n", "pause\n" or "stop\n".
std::string_view reply_line(Action action);

// Cuts a byte stream into lines. Bytes are read straight into its buffer (prepare + commit);
// complete lines are handed out as views into it, without their "\n" or "\r\n".
class LineBuffer {
 public:
  // Room for `n` more bytes; write them at the returned pointer, then commit how many arrived.
  char* prepare(std::size_t n) {
    if (capacity_ < size_ + n) {  // grows rarely, then reused; new room is not zeroed
      std::unique_ptr<char[]> bigger = std::make_unique_for_overwrite<char[]>(size_ + n);
      if (size_ > 0) std::memcpy(bigger.get(), buffer_.get(), size_);
      buffer_ = std::move(bigger);
      capacity_ = size_ + n;
    }
    return buffer_.get() + size_;
  }
  void commit(std::size_t n) { size_ += n; }

  // Calls f(line) for each complete line, then keeps the unfinished rest.
  template <typename F>
  void for_each_line(F&& f) {
    std::size_t start = 0;
    while (start < size_) {
      const void* nl = std::memchr(buffer_.get() + start, '\n', size_ - start);
      std::size_t end =
          nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - buffer_.get()) : size_;
      std::size_t next = end + 1;  // past the newline
      if (end - start > kMaxLineBytes) {
        end = next = start + kMaxLineBytes;
      } else if (!nl) {
        break;  // unfinished: wait for more
      }
      f(trim_cr(std::string_view(buffer_.get() + start, end - start)));
      start = next;
    }
    if (start > 0) {
      std::memmove(buffer_.get(), buffer_.get() + start, size_ - start);
      size_ -= start;
    }
  }

  // At end of stream: the unfinished last line, if any (then empty).
  std::optional<std::string> take_rest() {
    if (size_ == 0) return std::nullopt;
    std::string rest(trim_cr(std::string_view(buffer_.get(), size_)));
    size_ = 0;
    return rest;
  }

 private:
  static std::string_view trim_cr(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
  }

  std::unique_ptr<char[]> buffer_;  // [0, size_) holds data; up to capacity_ is room
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace tuneq::detail
