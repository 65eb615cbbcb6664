// What each kind of event carries, typed, and the one function that writes it as the JSON
// documented in include/tuneq/event.hpp. EventBuilder fills an EventPayload for every event; a
// sink that takes payloads (PayloadSink: the simulator's packed log) keeps them without any JSON,
// and writes payload_json only when its events are read. Every other sink gets the JSON at once.
// Both paths go through payload_json, so they give the same bytes.
//
// Ownership: the pointers and string views in a payload borrow from the caller and are valid
// only during the call that receives it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "tuneq/event.hpp"
#include "tuneq/executor.hpp"
#include "tuneq/result.hpp"
#include "tuneq/scheduler.hpp"
#include "tuneq/tuner.hpp"
#include "tuneq/value.hpp"

namespace tuneq::detail {

namespace payload {
struct TrialAdded {
  const Config* config;
};
struct Started {
  int cpu;
  std::span<const int> gpus;
  std::optional<std::string_view> restore;
};
struct Result {
  double resource;
  const Metrics* metrics;
};
struct Decision {
  double resource;
  tuneq::Decision decision;  // its reason is formatted only by payload_json
  LoopState loop;
};
struct Checkpoint {
  std::string_view name;
  double resource;
};
struct Paused {};
struct Resumed {
  std::optional<std::string_view> restore;
  LoopState loop;
};
struct Finished {
  TrialStatus status;
};
struct Failed {
  int exit_code;
  std::string_view error;
  int attempt;
  bool final;
};
struct NoMoreTrials {
  std::string_view reason;
};
struct Exploit {
  TrialId source;
  std::string_view checkpoint;
  double resource;
  const Config* old_config;
  const Config* config;
};
}  // namespace payload

// The alternatives are in the order of Event::Kind: index() is the kind.
using EventPayload =
    std::variant<payload::TrialAdded, payload::Started, payload::Result, payload::Decision,
                 payload::Checkpoint, payload::Paused, payload::Resumed, payload::Finished,
                 payload::Failed, payload::NoMoreTrials, payload::Exploit>;

inline Event::Kind kind_of(const EventPayload& p) {
  return static_cast<Event::Kind>(p.index());
}

// The event's data: a JSON object text, keys in the documented order, numbers in nlohmann's
// shortest round-trip form, non-finite numbers as null, invalid UTF-8 replaced (an event must
// never fail to be written because of what a trial printed).
std::string payload_json(const EventPayload& p);

// A sink that keeps payloads as they are. EventBuilder hands every event to it through
// append_payload instead of EventSink::append when the sink it was given is also a PayloadSink.
// REQUIRES: seq follows the previous event's (the sink may throw Error::FailedPrecondition).
class PayloadSink {
 public:
  virtual ~PayloadSink() = default;
  virtual void append_payload(std::uint64_t seq, double time, TrialId trial,
                              const EventPayload& payload) = 0;
};

}  // namespace tuneq::detail
