#include "tuneq/clock.hpp"

#include <chrono>

#include <fmt/format.h>

#include "tuneq/error.hpp"

namespace tuneq {
namespace {

class SystemClock final : public Clock {
 public:
  SystemClock() : origin_(std::chrono::steady_clock::now()) {}
  double now() const override {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - origin_).count();
  }

 private:
  std::chrono::steady_clock::time_point origin_;
};

}  // namespace

std::unique_ptr<Clock> make_system_clock() {
  return std::make_unique<SystemClock>();
}

void ManualClock::advance_to(double t) {
  if (t < now_) {
    throw Error::FailedPrecondition(
        fmt::format("clock cannot run backwards: now {} s, asked for {} s", now_, t));
  }
  now_ = t;
}

}  // namespace tuneq
