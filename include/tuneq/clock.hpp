// Time, injected. The tuner loop reads a Clock; the simulator supplies a virtual one, so a
// thousand-worker experiment runs in milliseconds through the exact production code path.
#pragma once

#include <memory>

namespace tuneq {

// Seconds since an arbitrary origin, as a double. Thread-safe for now() in every implementation.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual double now() const = 0;
};

// Wall-clock time (std::chrono::steady_clock), origin at construction.
std::unique_ptr<Clock> make_system_clock();

// A clock that moves only when told to. Used by tests and the simulator.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(double start = 0) : now_(start) {}
  double now() const override { return now_; }
  // REQUIRES: t >= now() (time never runs backwards).
  void advance_to(double t);

 private:
  double now_;
};

}  // namespace tuneq
