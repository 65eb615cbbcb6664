// An event log in memory, as tuneq::Events: the reference the store conformance suite holds the
// other stores to (the simulator keeps its log in a PackedEventLog). Nothing survives the
// process; flushed() says what a durable store would have made durable, so tests can check that
// the loop flushes before it acts.
// Thread safety: none (the loop thread only, like every EventSink).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "store/event_log.hpp"

namespace tuneq::store {

class MemoryStore final : public EventLog {
 public:
  // REQUIRES: event.seq == next_seq(), else Error::FailedPrecondition (nothing is appended).
  void append(const Event& event) override;
  // Marks everything appended so far as flushed.
  void flush() override;

  std::vector<Event> read_all() override { return events_; }
  std::vector<Event> read_since(std::uint64_t first_seq) override;
  std::uint64_t next_seq() const override { return events_.size(); }

  // How many events (a prefix of read_all()) had been appended at the latest flush().
  std::size_t flushed() const { return flushed_; }
  // How many times flush() was called.
  std::size_t flush_calls() const { return flush_calls_; }

 private:
  std::vector<Event> events_;  // events_[i].seq == i
  std::size_t flushed_ = 0;
  std::size_t flush_calls_ = 0;
};

}  // namespace tuneq::store
