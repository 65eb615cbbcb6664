#include "spec/duration.hpp"
#include "spec/text.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>

#include <fmt/format.h>

#include "tuneq/error.hpp"

namespace tuneq::spec {
namespace {

struct Unit {
  char letter;
  double seconds;
};
// In the only order they may appear.
constexpr std::array<Unit, 4> kUnits{{{'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}}};

[[noreturn]] void bad_duration(std::string_view text) {
  throw Error::InvalidArgument(fmt::format(
      "expected a duration like 90s, 30m, 2h or 1h30m, or a number of seconds, got '{}'", text));
}

using text::is_digit;
using text::trim;

// Length of the decimal number ("12", "1.5", ".5", "2.") at the start of s; 0 if none.
std::size_t decimal_length(std::string_view s) {
  std::size_t i = 0;
  std::size_t digits = 0;
  while (i < s.size() && is_digit(s[i])) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && is_digit(s[i])) ++i, ++digits;
  }
  return digits > 0 ? i : 0;
}

std::optional<double> to_double(std::string_view s) {
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

double parse_duration(std::string_view text) {
  const std::string_view s = trim(text);
  if (s.empty()) bad_duration(text);
  // A plain number of seconds, exponent allowed ("45", "0.5", "1e3").
  if (is_digit(s.front()) || s.front() == '.') {
    if (const auto seconds = to_double(s); seconds && std::isfinite(*seconds)) return *seconds;
  }
  double total = 0;
  std::size_t next_unit = 0;  // units before this index may no longer appear
  std::string_view rest = s;
  while (!rest.empty()) {
    const std::size_t n = decimal_length(rest);
    if (n == 0 || n == rest.size()) bad_duration(text);
    const auto number = to_double(rest.substr(0, n));
    if (!number) bad_duration(text);
    std::size_t u = next_unit;
    while (u < kUnits.size() && kUnits[u].letter != rest[n]) ++u;
    if (u == kUnits.size()) bad_duration(text);  // unknown unit, or one out of order / repeated
    total += *number * kUnits[u].seconds;
    next_unit = u + 1;
    rest.remove_prefix(n + 1);
  }
  if (!std::isfinite(total)) bad_duration(text);
  return total;
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0 || seconds >= 1e15) return fmt::format("{}", seconds);
  auto whole = static_cast<std::int64_t>(std::floor(seconds));
  const double fraction = seconds - static_cast<double>(whole);
  std::string out;
  for (const Unit& unit : kUnits) {
    const auto size = static_cast<std::int64_t>(unit.seconds);
    const std::int64_t count = whole / size;
    whole %= size;
    if (unit.letter == 's') {
      const double rest = static_cast<double>(count) + fraction;
      if (rest > 0 || out.empty()) out += fmt::format("{}s", rest);
    } else if (count > 0) {
      out += fmt::format("{}{}", count, unit.letter);
    }
  }
  return out;
}

}  // namespace tuneq::spec
