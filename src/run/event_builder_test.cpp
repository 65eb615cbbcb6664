#include "run/event_builder.hpp"

#include <cmath>
#include <limits>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace tuneq::detail {
namespace {

class Collect final : public EventSink {
 public:
  void append(const Event& e) override { events.push_back(e); }
  std::vector<Event> events;
};

using Json = nlohmann::ordered_json;

// What a JSON tree dumps (the builder's reference: result, decision, checkpoint, started and
// resumed are written directly and must read byte for byte the same).
std::string tree(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

TEST(EventBuilder, DirectlyWrittenEventsEqualTheirJsonTrees) {
  ManualClock clock;
  Collect sink;
  EventBuilder events(&sink, clock);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<double> numbers = {
      0.0,   1.0,           -2.5,    0.1, 1e-5,
      1e20,  123456789.125, 1.0 / 3, nan, std::numeric_limits<double>::infinity(),
      5e-324};
  const std::vector<std::string> names = {
      "loss", "val \"acc\"", "tab\there", "back\\slash", "caf\xc3\xa9", "bad \xff byte", ""};
  for (const double x : numbers) {
    for (const auto& name : names) {
      sink.events.clear();
      Metrics metrics{{name, x}, {"step", 3}};
      events.result(1, x, metrics);
      Json m = Json::object();
      for (const auto& [k, v] : metrics) m[k] = v;
      Json r;
      r["resource"] = x;
      r["metrics"] = m;
      ASSERT_EQ(sink.events.size(), 1u);
      EXPECT_EQ(sink.events[0].data, tree(r)) << name << " " << x;

      sink.events.clear();
      events.checkpoint(1, name, x);
      Json c;
      c["checkpoint"] = name;
      c["resource"] = x;
      EXPECT_EQ(sink.events[0].data, tree(c)) << name << " " << x;
    }
    for (const bool completed : {false, true}) {
      sink.events.clear();
      Decision d = Decision::Stop("below rung {} cutoff {} (\"top\" 1/{})", {x, 0.412, 3});
      d.completed = completed;
      const LoopState loop{!completed, 7};
      events.decision(2, x, d, loop);
      Json j;
      j["action"] = "stop";
      j["resource"] = x;
      j["reason"] = d.reason();
      if (completed) j["completed"] = true;
      Json l;
      l["can_start_new"] = loop.can_start_new;
      l["waiting"] = loop.waiting;
      j["loop"] = l;
      EXPECT_EQ(sink.events[0].data, tree(j)) << x;
    }
  }
  for (const auto& restore : {std::optional<std::string>{}, std::optional<std::string>{"ckpt-3"},
                              std::optional<std::string>{"a\"b"}}) {
    sink.events.clear();
    const Allocation allocation{2, {0, 3}};
    events.started(4, allocation, restore);
    Json j;
    j["cpu"] = allocation.cpu;
    j["gpus"] = allocation.gpus;
    j["restore"] = restore ? Json(*restore) : Json(nullptr);
    EXPECT_EQ(sink.events[0].data, tree(j));

    for (const LoopState loop : {LoopState{true, 0}, LoopState{false, std::size_t{1} << 40}}) {
      sink.events.clear();
      events.resumed(4, restore, loop);
      Json r;
      r["restore"] = restore ? Json(*restore) : Json(nullptr);
      Json l;
      l["can_start_new"] = loop.can_start_new;
      l["waiting"] = loop.waiting;
      r["loop"] = l;
      EXPECT_EQ(sink.events[0].data, tree(r));
    }
  }
  sink.events.clear();
  events.started(5, Allocation{1, {}}, std::nullopt);
  EXPECT_EQ(sink.events[0].data, "{\"cpu\":1,\"gpus\":[],\"restore\":null}");
}

}  // namespace
}  // namespace tuneq::detail
