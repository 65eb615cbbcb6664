#include "run/event_builder.hpp"

#include <utility>

namespace tuneq::detail {

void EventBuilder::emit(TrialId id, const EventPayload& payload) {
  const std::uint64_t seq = next_seq_++;
  const double time = clock_.now();
  if (payload_sink_ != nullptr) {
    payload_sink_->append_payload(seq, time, id, payload);
  } else {
    Event event;
    event.seq = seq;
    event.time = time;
    event.kind = kind_of(payload);
    event.trial = id;
    event.data = payload_json(payload);
    sink_->append(event);
  }
  if (!unflushed_) first_unflushed_time_ = time;
  unflushed_ = true;
}

}  // namespace tuneq::detail
