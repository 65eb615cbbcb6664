// The read side every event store shares: an EventSink that can also give its events back.
// Resume replays read_all(); status, best and export fold it (trial_table.hpp). Implemented by
// SqliteStore (the experiment's DIR/events.db), PackedEventLog (the simulator's, in memory) and
// MemoryStore (tests).
#pragma once

#include <cstdint>
#include <vector>

#include "tuneq/event.hpp"

namespace tuneq::store {

class EventLog : public EventSink {
 public:
  // Every event appended so far (flushed or not), ordered by seq.
  virtual std::vector<Event> read_all() = 0;
  // The events with seq >= first_seq, ordered by seq; read_since(0) == read_all(). A reader
  // following a live log passes the last seq it saw + 1.
  virtual std::vector<Event> read_since(std::uint64_t first_seq) = 0;
  // The seq the next append must carry: 0 for an empty log, else the last seq + 1.
  virtual std::uint64_t next_seq() const = 0;
};

}  // namespace tuneq::store
