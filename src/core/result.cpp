#include "tuneq/result.hpp"

#include <cmath>

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

std::string Decision::reason() const {
  if (why == nullptr || *why == '\0') return {};
  return fmt::vformat(why, fmt::make_format_args(args[0], args[1], args[2], args[3]));
}

}  // namespace tuneq
