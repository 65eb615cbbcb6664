#include "tuneq/result.hpp"

#include <array>
#include <cmath>
#include <cstdint>
#include <string_view>

#include <fmt/compile.h>
#include <fmt/format.h>

namespace tuneq {

double score(Mode mode, double value) {
  if (std::isnan(value)) return -std::numeric_limits<double>::infinity();
  return mode == Mode::kMax ? value : -value;
}

bool better(Mode mode, double a, double b) {
  if (std::isnan(a)) return false;
  if (std::isnan(b)) return true;
  return mode == Mode::kMax ? a > b : a < b;
}

const char* to_string(Action a) {
  switch (a) {
    case Action::kContinue:
      return "continue";
    case Action::kPause:
      return "pause";
    case Action::kStop:
      return "stop";
  }
  return "?";
}

// Every reason in tuneq uses plain "{}" fields. Those are formatted here with a format compiled
// once, which writes exactly what fmt's runtime "{}" writes at a fraction of the cost (the end of
// a 100 000-trial simulation formats a reason per trial); anything else goes to fmt::vformat.
std::string Decision::reason() const {
  if (why == nullptr || *why == '\0') return {};
  const std::string_view format(why);
  std::string out;
  out.reserve(format.size() + 48);
  std::size_t next_arg = 0;
  std::size_t i = 0;
  while (i < format.size()) {
    std::size_t brace = i;
    while (brace < format.size() && format[brace] != '{' && format[brace] != '}') ++brace;
    out.append(format.substr(i, brace - i));  // literal text up to the next field
    if (brace == format.size()) break;
    if (format[brace] != '{' || brace + 1 == format.size() || format[brace + 1] != '}' ||
        next_arg == args.size()) {
      return fmt::vformat(why, fmt::make_format_args(args[0], args[1], args[2], args[3]));
    }
    const double x = args[next_arg++];
    std::array<char, 64> buffer;  // the longest double fmt writes is 24 characters
    char* last = nullptr;
    // Most fields are counts and rungs: whole numbers, which fmt writes as integers ("27").
    if (x == std::trunc(x) && std::fabs(x) < 1e15 && (x != 0 || !std::signbit(x))) {
      last = fmt::format_to(buffer.data(), FMT_COMPILE("{}"), static_cast<std::int64_t>(x));
    } else {
      last = fmt::format_to(buffer.data(), FMT_COMPILE("{}"), x);
    }
    out.append(buffer.data(), last);
    i = brace + 2;
  }
  return out;
}

}  // namespace tuneq
