// An event log in memory that keeps each event's typed payload packed into bytes and writes its
// JSON only when the event is read: `tuneq simulate`'s default log. Reading gives exactly the
// events (JSON included, byte for byte) that MemoryStore would hold for the same run; appending
// costs a few dozen bytes copied into a block and no allocation per event, so a simulation with
// its log in memory runs at nearly the speed of one without (docs/BENCHMARKS.md).
//
// Events appended as tuneq::Event (EventSink::append) are kept with their JSON text as given.
// A Decision's `why` is kept as the pointer it is (Decision requires static storage), so the
// log is readable only inside the process that wrote it, which is all an in-memory log is.
// Thread safety: none (the loop thread only, like every EventSink).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "run/event_payload.hpp"
#include "store/event_log.hpp"

namespace tuneq::store {

class PackedEventLog final : public EventLog, public detail::PayloadSink {
 public:
  PackedEventLog() = default;
  PackedEventLog(const PackedEventLog&) = delete;
  PackedEventLog& operator=(const PackedEventLog&) = delete;

  // REQUIRES (both): seq == next_seq(), else Error::FailedPrecondition and nothing is appended.
  void append(const Event& event) override;
  void append_payload(std::uint64_t seq, double time, TrialId trial,
                      const detail::EventPayload& payload) override;
  // Nothing to make durable: an in-memory log is lost with the process whatever is flushed.
  void flush() override {}

  std::vector<Event> read_all() override { return read_since(0); }
  std::vector<Event> read_since(std::uint64_t first_seq) override;
  std::uint64_t next_seq() const override { return index_.size(); }

  // Bytes held by the packed events (blocks, index and name table), for benchmarks.
  std::size_t memory_bytes() const;

 private:
  struct Location {
    std::uint32_t block;
    std::uint32_t offset;
  };
  // Events are written into 2 MiB blocks, never moved once written (a growing vector would copy
  // a 100 000-trial simulation's ~50 MB of events several times).
  // Tried and measured, not kept: transparent huge pages (madvise; fewer page faults, but
  // compaction stalls made runs slower as often as faster) and MAP_POPULATE (no faster).
  using Bytes = std::unique_ptr<char[]>;
  static Bytes allocate(std::size_t bytes);
  struct Block {
    Bytes bytes;
    std::size_t size = 0;
    std::size_t capacity = 0;
  };
  struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  class Writer;
  void check_seq(std::uint64_t seq) const;
  // Names (metric and parameter names) are kept once and referred to by number. hint: the number
  // the same position of the previous map of the same kind had, checked first.
  std::uint32_t name_id(const std::string& name, std::vector<std::uint32_t>& hints,
                        std::size_t position);
  void put_config(Writer& out, const Config& config);
  void put_metrics(Writer& out, const Metrics& metrics);
  Event decode(Location at) const;

  std::vector<Block> blocks_;
  std::deque<Location> index_;  // index_[seq]: where event seq starts (chunked, never moved)
  std::vector<std::string> names_;
  std::unordered_map<std::string, std::uint32_t, NameHash, std::equal_to<>> name_ids_;
  std::vector<std::uint32_t> metric_hints_;
  std::vector<std::uint32_t> config_hints_;
};

}  // namespace tuneq::store
