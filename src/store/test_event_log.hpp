// Tests only: builds an event log by hand, seq 0, 1, 2, ... in the order of the calls.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "tuneq/event.hpp"

namespace tuneq::store::test_util {

struct Log {
  using Kind = Event::Kind;
  Log& add(Kind kind, TrialId trial, std::string data, double time = 0) {
    events.push_back({events.size(), time, kind, trial, std::move(data)});
    return *this;
  }
  Log& trial(TrialId id, double time = 0) {
    return add(Kind::kTrialAdded, id, R"({"config":{"lr":0.1}})", time);
  }
  Log& result(TrialId id, std::string metrics, double resource = 1, double time = 0) {
    return add(Kind::kResult, id,
               R"({"resource":)" + std::to_string(resource) + R"(,"metrics":)" + metrics + "}",
               time);
  }
  std::vector<Event> events;
};

}  // namespace tuneq::store::test_util
