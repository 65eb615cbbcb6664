#include "store/packed_event_log.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>

#include <fmt/format.h>

#include "tuneq/error.hpp"

namespace tuneq::store {

namespace {

// An event's bytes: tag (the Event::Kind of a payload, or kRawTag), trial, time, then the
// payload's fields in the order of its struct (event_payload.hpp). Counts, lengths, ids and
// name numbers are varints (LEB128); doubles and pointers their 8 bytes. Strings are a length
// and their bytes; configs and metrics a count and (name number, value) pairs. A decision packs
// its action, flags and how many of its args are non-zero into one byte.
constexpr std::uint8_t kRawTag = 0xff;  // then the Event::Kind and the JSON text as a string
constexpr std::size_t kBlockBytes = std::size_t{2} << 20;

}  // namespace

// Writes one event straight into the last block. If the block fills up in the middle of the
// event, what was written of it moves to a new block (an event never spans two blocks).
// finish() records where the event starts and closes it.
class PackedEventLog::Writer {
 public:
  explicit Writer(PackedEventLog& log) : log_(log) {
    if (log_.blocks_.empty()) log_.blocks_.push_back(new_block(kBlockBytes));
    Block& block = log_.blocks_.back();
    start_ = at_ = block.bytes.get() + block.size;
    end_ = block.bytes.get() + block.capacity;
  }
  template <typename T>
  void put(const T& value) {
    static_assert(std::is_trivially_copyable_v<T>);
    room(sizeof value);
    std::memcpy(at_, &value, sizeof value);
    at_ += sizeof value;
  }
  void varint(std::uint64_t v) {
    room(10);
    while (v >= 0x80) {
      *at_++ = static_cast<char>((v & 0x7f) | 0x80);
      v >>= 7;
    }
    *at_++ = static_cast<char>(v);
  }
  void string(std::string_view s) {
    varint(s.size());
    room(s.size());
    std::memcpy(at_, s.data(), s.size());
    at_ += s.size();
  }
  void optional(const std::optional<std::string_view>& s) {
    put(static_cast<std::uint8_t>(s.has_value()));
    if (s) string(*s);
  }
  void loop(const LoopState& loop) {
    put(static_cast<std::uint8_t>(loop.can_start_new));
    varint(loop.waiting);
  }
  void finish() {
    Block& block = log_.blocks_.back();
    log_.index_.push_back(Location{static_cast<std::uint32_t>(log_.blocks_.size() - 1),
                                   static_cast<std::uint32_t>(start_ - block.bytes.get())});
    block.size = static_cast<std::size_t>(at_ - block.bytes.get());
  }

 private:
  static Block new_block(std::size_t capacity) {
    Block block;
    block.capacity = std::max(kBlockBytes, capacity);
    block.bytes = allocate(block.capacity);
    return block;
  }
  void room(std::size_t n) {
    if (static_cast<std::size_t>(end_ - at_) >= n) [[likely]]
      return;
    const auto written = static_cast<std::size_t>(at_ - start_);
    Block block = new_block(2 * (written + n));
    std::memcpy(block.bytes.get(), start_, written);
    start_ = block.bytes.get();
    at_ = start_ + written;
    end_ = start_ + block.capacity;
    log_.blocks_.push_back(std::move(block));
  }

  PackedEventLog& log_;
  char* start_;  // where this event begins
  char* at_;
  char* end_;
};

namespace {

// Reads back what Writer wrote, in the same order.
class Reader {
 public:
  explicit Reader(const char* at) : at_(at) {}
  template <typename T>
  T get() {
    T value;
    std::memcpy(&value, at_, sizeof value);
    at_ += sizeof value;
    return value;
  }
  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0;; shift += 7) {
      const auto byte = static_cast<std::uint8_t>(*at_++);
      v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return v;
    }
  }
  std::string_view string() {
    const auto size = static_cast<std::size_t>(varint());
    const std::string_view s(at_, size);
    at_ += size;
    return s;
  }
  std::optional<std::string_view> optional() {
    if (get<std::uint8_t>() == 0) return std::nullopt;
    return string();
  }
  LoopState loop() {
    LoopState loop;
    loop.can_start_new = get<std::uint8_t>() != 0;
    loop.waiting = static_cast<std::size_t>(varint());
    return loop;
  }

 private:
  const char* at_;
};

Value read_value(Reader& in) {
  switch (in.get<std::uint8_t>()) {
    case 0:
      return in.get<double>();
    case 1:
      return in.get<std::int64_t>();
    case 2:
      return std::string(in.string());
    default:
      return in.get<std::uint8_t>() != 0;
  }
}

// A decision's first byte: action (2 bits), completed, has a reason format, and how many args
// are stored (the args after the last non-zero one are zero and not stored).
constexpr unsigned kCompletedBit = 1u << 2;
constexpr unsigned kWhyBit = 1u << 3;
constexpr unsigned kArgsShift = 4;

}  // namespace

void PackedEventLog::check_seq(std::uint64_t seq) const {
  if (seq != next_seq()) {
    throw Error::FailedPrecondition(
        fmt::format("event log: appended seq {} but the next seq is {}", seq, next_seq()));
  }
}

PackedEventLog::Bytes PackedEventLog::allocate(std::size_t bytes) {
  return std::make_unique_for_overwrite<char[]>(bytes);
}

std::uint32_t PackedEventLog::name_id(const std::string& name, std::vector<std::uint32_t>& hints,
                                      std::size_t position) {
  if (position < hints.size() && names_[hints[position]] == name) return hints[position];
  auto found = name_ids_.find(std::string_view(name));
  std::uint32_t id = 0;
  if (found != name_ids_.end()) {
    id = found->second;
  } else {
    id = static_cast<std::uint32_t>(names_.size());
    names_.push_back(name);
    name_ids_.emplace(name, id);
  }
  if (position >= hints.size()) hints.resize(position + 1);
  hints[position] = id;
  return id;
}

void PackedEventLog::put_config(Writer& out, const Config& config) {
  out.varint(config.size());
  std::size_t position = 0;
  for (const auto& [name, value] : config) {
    out.varint(name_id(name, config_hints_, position++));
    const auto& storage = value.storage();
    out.put(static_cast<std::uint8_t>(storage.index()));
    if (const auto* d = std::get_if<double>(&storage)) out.put(*d);
    if (const auto* i = std::get_if<std::int64_t>(&storage)) out.put(*i);
    if (const auto* s = std::get_if<std::string>(&storage)) out.string(*s);
    if (const auto* b = std::get_if<bool>(&storage)) out.put(static_cast<std::uint8_t>(*b));
  }
}

void PackedEventLog::put_metrics(Writer& out, const Metrics& metrics) {
  out.varint(metrics.size());
  std::size_t position = 0;
  for (const auto& [name, value] : metrics) {
    out.varint(name_id(name, metric_hints_, position++));
    out.put(value);
  }
}

void PackedEventLog::append(const Event& event) {
  check_seq(event.seq);
  Writer out(*this);
  out.put(kRawTag);
  out.varint(event.trial);
  out.put(event.time);
  out.put(event.kind);
  out.string(event.data);
  out.finish();
}

void PackedEventLog::append_payload(std::uint64_t seq, double time, TrialId trial,
                                    const detail::EventPayload& payload) {
  namespace p = detail::payload;
  check_seq(seq);
  Writer out(*this);
  out.put(static_cast<std::uint8_t>(payload.index()));
  out.varint(trial);
  out.put(time);
  std::visit(
      [this, &out](const auto& one) {
        using T = std::decay_t<decltype(one)>;
        if constexpr (std::is_same_v<T, p::TrialAdded>) {
          put_config(out, *one.config);
        } else if constexpr (std::is_same_v<T, p::Started>) {
          out.varint(static_cast<std::uint32_t>(one.cpu));
          out.varint(one.gpus.size());
          for (const int gpu : one.gpus) out.varint(static_cast<std::uint32_t>(gpu));
          out.optional(one.restore);
        } else if constexpr (std::is_same_v<T, p::Result>) {
          out.put(one.resource);
          put_metrics(out, *one.metrics);
        } else if constexpr (std::is_same_v<T, p::Decision>) {
          const Decision& d = one.decision;
          const bool has_why = d.why != nullptr && *d.why != '\0';
          unsigned args = has_why ? 4 : 0;
          while (args > 0 && d.args[args - 1] == 0 && !std::signbit(d.args[args - 1])) --args;
          out.put(static_cast<std::uint8_t>(static_cast<unsigned>(d.action) |
                                            (d.completed ? kCompletedBit : 0) |
                                            (has_why ? kWhyBit : 0) | (args << kArgsShift)));
          if (has_why) out.put(d.why);  // static storage (Decision's REQUIRES)
          for (unsigned i = 0; i < args; ++i) out.put(d.args[i]);
          out.put(one.resource);
          out.loop(one.loop);
        } else if constexpr (std::is_same_v<T, p::Checkpoint>) {
          out.string(one.name);
          out.put(one.resource);
        } else if constexpr (std::is_same_v<T, p::Resumed>) {
          out.optional(one.restore);
          out.loop(one.loop);
        } else if constexpr (std::is_same_v<T, p::Finished>) {
          out.put(one.status);
        } else if constexpr (std::is_same_v<T, p::Failed>) {
          out.put(static_cast<std::int32_t>(one.exit_code));
          out.string(one.error);
          out.put(static_cast<std::int32_t>(one.attempt));
          out.put(static_cast<std::uint8_t>(one.final));
        } else if constexpr (std::is_same_v<T, p::NoMoreTrials>) {
          out.string(one.reason);
        } else if constexpr (std::is_same_v<T, p::Exploit>) {
          out.varint(one.source);
          out.string(one.checkpoint);
          out.put(one.resource);
          put_config(out, *one.old_config);
          put_config(out, *one.config);
        } else {
          static_assert(std::is_same_v<T, p::Paused>);  // no fields
        }
      },
      payload);
  out.finish();
}

Event PackedEventLog::decode(Location at) const {
  namespace p = detail::payload;
  Reader in(blocks_[at.block].bytes.get() + at.offset);
  Event event;
  const auto tag = in.get<std::uint8_t>();
  event.trial = in.varint();
  event.time = in.get<double>();
  if (tag == kRawTag) {
    event.kind = in.get<Event::Kind>();
    event.data = std::string(in.string());
    return event;
  }
  event.kind = static_cast<Event::Kind>(tag);
  const auto read_config = [&] {
    Config config;
    const auto size = in.varint();
    for (std::uint64_t i = 0; i < size; ++i) {
      const auto& name = names_[in.varint()];
      config.emplace_hint(config.end(), name, read_value(in));
    }
    return config;
  };
  switch (event.kind) {
    case Event::Kind::kTrialAdded: {
      const Config config = read_config();
      event.data = detail::payload_json(p::TrialAdded{&config});
      break;
    }
    case Event::Kind::kStarted: {
      const auto cpu = static_cast<int>(in.varint());
      std::vector<int> gpus(in.varint());
      for (int& gpu : gpus) gpu = static_cast<int>(in.varint());
      event.data = detail::payload_json(p::Started{cpu, gpus, in.optional()});
      break;
    }
    case Event::Kind::kResult: {
      const auto resource = in.get<double>();
      Metrics metrics;
      const auto size = in.varint();
      for (std::uint64_t i = 0; i < size; ++i) {
        const auto& name = names_[in.varint()];
        metrics.emplace_hint(metrics.end(), name, in.get<double>());
      }
      event.data = detail::payload_json(p::Result{resource, &metrics});
      break;
    }
    case Event::Kind::kDecision: {
      p::Decision d{};
      const unsigned bits = in.get<std::uint8_t>();
      d.decision.action = static_cast<Action>(bits & 3u);
      d.decision.completed = (bits & kCompletedBit) != 0;
      if ((bits & kWhyBit) != 0) d.decision.why = in.get<const char*>();
      for (unsigned i = 0; i < (bits >> kArgsShift); ++i) d.decision.args[i] = in.get<double>();
      d.resource = in.get<double>();
      d.loop = in.loop();
      event.data = detail::payload_json(d);
      break;
    }
    case Event::Kind::kCheckpoint: {
      const auto name = in.string();
      event.data = detail::payload_json(p::Checkpoint{name, in.get<double>()});
      break;
    }
    case Event::Kind::kPaused:
      event.data = detail::payload_json(p::Paused{});
      break;
    case Event::Kind::kResumed: {
      const auto restore = in.optional();
      event.data = detail::payload_json(p::Resumed{restore, in.loop()});
      break;
    }
    case Event::Kind::kFinished:
      event.data = detail::payload_json(p::Finished{in.get<TrialStatus>()});
      break;
    case Event::Kind::kFailed: {
      p::Failed f{};
      f.exit_code = in.get<std::int32_t>();
      f.error = in.string();
      f.attempt = in.get<std::int32_t>();
      f.final = in.get<std::uint8_t>() != 0;
      event.data = detail::payload_json(f);
      break;
    }
    case Event::Kind::kNoMoreTrials:
      event.data = detail::payload_json(p::NoMoreTrials{in.string()});
      break;
    case Event::Kind::kExploit: {
      const auto source = in.varint();
      const auto checkpoint = in.string();
      const auto resource = in.get<double>();
      const Config old_config = read_config();
      const Config config = read_config();
      event.data =
          detail::payload_json(p::Exploit{source, checkpoint, resource, &old_config, &config});
      break;
    }
  }
  return event;
}

std::vector<Event> PackedEventLog::read_since(std::uint64_t first_seq) {
  std::vector<Event> events;
  if (first_seq >= index_.size()) return events;
  events.reserve(index_.size() - first_seq);
  for (std::uint64_t seq = first_seq; seq < index_.size(); ++seq) {
    events.push_back(decode(index_[seq]));
    events.back().seq = seq;
  }
  return events;
}

std::size_t PackedEventLog::memory_bytes() const {
  std::size_t bytes = index_.size() * sizeof(Location);
  for (const auto& block : blocks_) bytes += block.capacity;
  for (const auto& name : names_) bytes += sizeof name + name.capacity();
  return bytes;
}

}  // namespace tuneq::store
