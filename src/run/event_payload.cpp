#include "run/event_payload.hpp"

#include <array>
#include <cmath>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

namespace tuneq::detail {

namespace {

// Keys keep the order documented in event.hpp (nlohmann::json would sort them).
using Json = nlohmann::ordered_json;

std::string dump(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// The frequent events (every report's result, checkpoint and decision; every launch) are written
// directly rather than through a JSON tree, byte for byte as dump() writes them: numbers through
// nlohmann's own shortest round-trip conversion, strings that need escaping through dump().
void put_number(std::string& out, double x) {
  if (!std::isfinite(x)) {
    out += "null";
    return;
  }
  std::array<char, 64> buffer{};
  char* end = nlohmann::detail::to_chars(buffer.data(), buffer.data() + buffer.size(), x);
  out.append(buffer.data(), static_cast<std::size_t>(end - buffer.data()));
}

void put_string(std::string& out, std::string_view s) {
  for (const char c : s) {
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
      out += dump(Json(std::string(s)));
      return;
    }
  }
  out += '"';
  out += s;
  out += '"';
}

void put_optional_string(std::string& out, const std::optional<std::string_view>& s) {
  if (s) {
    put_string(out, *s);
  } else {
    out += "null";
  }
}

void put_loop(std::string& out, const LoopState& loop) {
  out += loop.can_start_new ? "{\"can_start_new\":true,\"waiting\":"
                            : "{\"can_start_new\":false,\"waiting\":";
  out += std::to_string(loop.waiting);
  out += '}';
}

std::string json(const payload::TrialAdded& p) {
  // config_to_json keeps Value's exact round-trip rules (doubles always carry a '.').
  return "{\"config\":" + config_to_json(*p.config) + "}";
}

std::string json(const payload::Started& p) {
  std::string out = "{\"cpu\":" + std::to_string(p.cpu) + ",\"gpus\":[";
  for (std::size_t i = 0; i < p.gpus.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(p.gpus[i]);
  }
  out += "],\"restore\":";
  put_optional_string(out, p.restore);
  out += '}';
  return out;
}

std::string json(const payload::Result& p) {
  std::string out = "{\"resource\":";
  put_number(out, p.resource);
  out += ",\"metrics\":{";
  bool first = true;
  for (const auto& [name, value] : *p.metrics) {
    if (!first) out += ',';
    first = false;
    put_string(out, name);
    out += ':';
    put_number(out, value);  // NaN/inf are written as null
  }
  out += "}}";
  return out;
}

std::string json(const payload::Decision& p) {
  std::string out = "{\"action\":";
  put_string(out, to_string(p.decision.action));
  out += ",\"resource\":";
  put_number(out, p.resource);
  out += ",\"reason\":";
  put_string(out, p.decision.reason());
  if (p.decision.completed) out += ",\"completed\":true";
  out += ",\"loop\":";
  put_loop(out, p.loop);
  out += '}';
  return out;
}

std::string json(const payload::Checkpoint& p) {
  std::string out = "{\"checkpoint\":";
  put_string(out, p.name);
  out += ",\"resource\":";
  put_number(out, p.resource);
  out += '}';
  return out;
}

std::string json(const payload::Paused&) {
  return "{}";
}

std::string json(const payload::Resumed& p) {
  std::string out = "{\"restore\":";
  put_optional_string(out, p.restore);
  out += ",\"loop\":";
  put_loop(out, p.loop);
  out += '}';
  return out;
}

std::string json(const payload::Finished& p) {
  Json j;
  j["status"] = to_string(p.status);
  return dump(j);
}

std::string json(const payload::Failed& p) {
  Json j;
  j["exit_code"] = p.exit_code;
  j["error"] = std::string(p.error);
  j["attempt"] = p.attempt;
  j["final"] = p.final;
  return dump(j);
}

std::string json(const payload::NoMoreTrials& p) {
  Json j;
  j["reason"] = std::string(p.reason);
  return dump(j);
}

std::string json(const payload::Exploit& p) {
  // Configs through config_to_json, like trial_added (exact round trip of every value).
  Json j;
  j["source"] = p.source;
  j["checkpoint"] = std::string(p.checkpoint);
  j["resource"] = p.resource;
  std::string data = dump(j);
  data.pop_back();  // the closing brace: the configs follow
  data += ",\"old_config\":" + config_to_json(*p.old_config) +
          ",\"config\":" + config_to_json(*p.config) + "}";
  return data;
}

}  // namespace

std::string payload_json(const EventPayload& p) {
  return std::visit([](const auto& one) { return json(one); }, p);
}

}  // namespace tuneq::detail
