// PackedEventLog must read back, byte for byte, the events MemoryStore holds for the same run:
// each payload kind with awkward values, and whole simulated experiments (ASHA promotion's
// pauses and resumes, PBT's exploits). Seq rules and raw events: store_conformance_test.cpp.
#include "store/packed_event_log.hpp"

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "run/event_builder.hpp"
#include "sim/benchmark.hpp"
#include "sim/simulation.hpp"
#include "store/memory_store.hpp"
#include "tuneq/clock.hpp"
#include "tuneq/error.hpp"

namespace tuneq::store {
namespace {

namespace p = detail::payload;

const double kNan = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

// One of each payload kind, several with values that are easy to get wrong: non-finite numbers,
// strings that need escaping or are not UTF-8, empty maps, every Value type, a Decision with a
// formatted reason and a completed stop.
struct Sample {
  Config config{{"lr", 0.1}, {"layers", 3}, {"opt", "adam \"w\"\n"}, {"bn", true}, {"x", -0.0}};
  Config other{{"lr", 1e-300}, {"\xc3\xa9t\xc3\xa9", std::string("caf\xc3\xa9 \\ \"q\"")}};
  Config empty;
  Metrics metrics{{"loss", 0.25}, {"epoch", 3}, {"nan", kNan}, {"inf", -kInf}, {"tab\t", 1e300}};
  Metrics no_metrics;
  std::vector<int> gpus{0, 3};
  std::string checkpoint = "ckpt-12 \"q\"";
  std::string error = "exit 1: Traceback\n  File \"x\", line 3\n\xfe";

  std::vector<detail::EventPayload> all() const {
    return {
        p::TrialAdded{&config},
        p::TrialAdded{&empty},
        p::Started{1, gpus, std::nullopt},
        p::Started{4, {}, std::string_view(checkpoint)},
        p::Result{2.0, &metrics},
        p::Result{kNan, &no_metrics},
        p::Decision{9, Decision::Stop("below rung {} cutoff {} (top 1/{} of {})", {3, 0.41, 3, 27}),
                    LoopState{false, 7}},
        p::Decision{27, Decision::Complete("reached max_t {}", {27}), LoopState{true, 0}},
        p::Decision{1, Decision::Continue(), LoopState{true, std::size_t{1} << 40}},
        p::Decision{3, Decision::Pause("at rung {}", {3}), LoopState{true, 2}},
        p::Checkpoint{checkpoint, 12},
        p::Paused{},
        p::Resumed{std::nullopt, LoopState{true, 1}},
        p::Resumed{std::string_view("ckpt-3"), LoopState{false, 0}},
        p::Finished{TrialStatus::kCompleted},
        p::Finished{TrialStatus::kStopped},
        p::Failed{-9, error, 2, true},
        p::Failed{1, "", 1, false},
        p::NoMoreTrials{"searcher exhausted"},
        p::Exploit{7, checkpoint, 12.5, &config, &other},
    };
  }
};

TEST(PackedEventLog, EveryPayloadReadsBackAsItsJson) {
  const Sample sample;
  PackedEventLog log;
  const auto payloads = sample.all();
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    log.append_payload(i, 0.5 * static_cast<double>(i), 100 + i, payloads[i]);
  }
  const auto events = log.read_all();
  ASSERT_EQ(events.size(), payloads.size());
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    SCOPED_TRACE(detail::payload_json(payloads[i]));
    EXPECT_EQ(events[i].seq, i);
    EXPECT_EQ(events[i].time, 0.5 * static_cast<double>(i));
    EXPECT_EQ(events[i].trial, 100 + i);
    EXPECT_EQ(events[i].kind, detail::kind_of(payloads[i]));
    EXPECT_EQ(events[i].data, detail::payload_json(payloads[i]));
  }
}

TEST(PackedEventLog, PayloadsAndRawEventsInterleaveAndReadSinceIsTheirSuffix) {
  const Sample sample;
  PackedEventLog log;
  log.append_payload(0, 1, 1, p::TrialAdded{&sample.config});
  log.append(Event{1, 2, Event::Kind::kResult, 1, R"({"raw":"\u00e9"})"});
  log.append_payload(2, 3, 1, p::Result{1, &sample.metrics});
  const auto since = log.read_since(1);
  ASSERT_EQ(since.size(), 2u);
  EXPECT_EQ(since[0], (Event{1, 2, Event::Kind::kResult, 1, R"({"raw":"\u00e9"})"}));
  EXPECT_EQ(since[1].seq, 2u);
  EXPECT_EQ(since[1].data, detail::payload_json(p::Result{1, &sample.metrics}));
  EXPECT_TRUE(log.read_since(3).empty());
}

TEST(PackedEventLog, APayloadOutOfSeqIsRefusedAndNothingIsAppended) {
  const Sample sample;
  PackedEventLog log;
  log.append_payload(0, 0, 1, p::Paused{});
  EXPECT_THROW(log.append_payload(2, 0, 1, p::Paused{}), Error);
  EXPECT_THROW(log.append_payload(0, 0, 1, p::Paused{}), Error);
  EXPECT_EQ(log.next_seq(), 1u);
  EXPECT_EQ(log.read_all().size(), 1u);
}

// Events far beyond one block (1 MiB) and one event larger than a block.
TEST(PackedEventLog, ManyEventsAndOneLargerThanABlockReadBackInOrder) {
  PackedEventLog log;
  Config big;
  big["blob"] = std::string(3u << 20, 'x');
  std::uint64_t seq = 0;
  for (int i = 0; i < 40000; ++i) {
    const Metrics m{{"loss", 1.0 / (i + 1)}, {"step", i}};
    log.append_payload(seq++, i, static_cast<TrialId>(i % 7), p::Result{double(i), &m});
    if (i == 20000) log.append_payload(seq++, i, 0, p::TrialAdded{&big});
  }
  const auto events = log.read_all();
  ASSERT_EQ(events.size(), seq);
  EXPECT_EQ(events[20001].data, "{\"config\":" + config_to_json(big) + "}");
  const Metrics last{{"loss", 1.0 / 40000}, {"step", 39999}};
  EXPECT_EQ(events.back().data, detail::payload_json(p::Result{39999, &last}));
  EXPECT_GT(log.memory_bytes(), std::size_t{3} << 20);
}

// The same experiment logged by the builder into each sink: the packed log takes payloads, the
// memory store JSON; both must hold the same events.
template <typename Run>
void expect_same_log(const Run& run) {
  MemoryStore json;
  PackedEventLog packed;
  run(json);
  run(packed);
  const auto expected = json.read_all();
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(packed.read_all(), expected);
}

Space curves_space() {
  Space s;
  s.add("lr", Domain::LogUniform(1e-4, 1)).add("width", Domain::Uniform(16, 512));
  s.add("dropout", Domain::Uniform(0, 0.5));
  return s;
}

TunerOptions tuner_options(std::uint64_t trials) {
  TunerOptions o;
  o.metric = "loss";
  o.resource_attr = "step";
  o.budget.max_trials = trials;
  return o;
}

TEST(PackedEventLog, AnAshaPromotionSimulationLogsWhatMemoryStoreLogs) {
  expect_same_log([](EventSink& sink) {
    const auto bench = sim::make_synthetic("curves", sim::SyntheticOptions{27, 5});
    AshaOptions asha;
    asha.max_t = 27;
    sim::run_simulation(tuner_options(300), make_random_search(curves_space(), {5, 0}),
                        make_asha_promotion(asha), *bench, 8, &sink);
  });
}

TEST(PackedEventLog, APbtSimulationWithExploitsLogsWhatMemoryStoreLogs) {
  std::size_t exploits = 0;
  expect_same_log([&](EventSink& sink) {
    const auto bench = sim::make_synthetic("curves", sim::SyntheticOptions{40, 2});
    PbtOptions pbt;
    pbt.perturbation_interval = 5;
    pbt.hyperparam_mutations["lr"] = Mutation::Resample(Domain::LogUniform(1e-4, 1));
    pbt.seed = 3;
    sim::run_simulation(tuner_options(8), make_random_search(curves_space(), {2, 0}), make_pbt(pbt),
                        *bench, 8, &sink);
    if (auto* memory = dynamic_cast<MemoryStore*>(&sink)) {
      for (const auto& e : memory->read_all()) exploits += e.kind == Event::Kind::kExploit;
    }
  });
  EXPECT_GT(exploits, 0u);  // the comparison covered exploit events
}

}  // namespace
}  // namespace tuneq::store
