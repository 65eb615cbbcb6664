#include "store/memory_store.hpp"

#include <fmt/format.h>

#include "tuneq/error.hpp"

namespace tuneq::store {

void MemoryStore::append(const Event& event) {
  if (event.seq != next_seq()) {
    throw Error::FailedPrecondition(
        fmt::format("event log: appended seq {} but the next seq is {}", event.seq, next_seq()));
  }
  events_.push_back(event);
}

void MemoryStore::flush() {
  flushed_ = events_.size();
  ++flush_calls_;
}

std::vector<Event> MemoryStore::read_since(std::uint64_t first_seq) {
  if (first_seq >= events_.size()) return {};
  return {events_.begin() + static_cast<std::ptrdiff_t>(first_seq), events_.end()};
}

}  // namespace tuneq::store
