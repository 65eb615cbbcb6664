// Event-log throughput: events persisted per second by SqliteStore with the durability the
// tuner runs with (WAL, synchronous=NORMAL: survives the tuner being killed), each a typical
// result event (3 metrics). The tuner flushes before every externally visible action, so the
// flush interval is what a real experiment's batch size is: every event (one reply per report)
// is the worst case, every 64 events the case of many trials reporting between actions.
//
//   build/store-rel/bench/store_bench --benchmark_counters_tabular=true
//
// The counter events_per_s is per wall-clock second (UseRealTime) and includes the commits, so
// it counts time waiting for the disk too; the database lives in the system temp dir
// (set TMPDIR to measure another disk).
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "store/sqlite_store.hpp"

namespace {

using tuneq::Event;
using tuneq::store::Durability;
using tuneq::store::SqliteStore;

class TempDb {
 public:
  explicit TempDb(const char* name)
      : dir_(std::filesystem::temp_directory_path() /
             fmt::format("tuneq-bench-{}-{}", name, ::getpid())) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  ~TempDb() { std::filesystem::remove_all(dir_); }
  TempDb(const TempDb&) = delete;
  TempDb& operator=(const TempDb&) = delete;
  std::filesystem::path db() const { return dir_ / "events.db"; }

 private:
  std::filesystem::path dir_;
};

void BM_AppendResultEvents(benchmark::State& state, const char* name, Durability durability) {
  const auto flush_every = static_cast<std::uint64_t>(state.range(0));
  TempDb temp(name);
  auto store = SqliteStore::create(temp.db(), R"({"metric":"val_loss"})", durability);
  Event event;
  event.kind = Event::Kind::kResult;
  event.data =
      R"({"resource":12.0,"metrics":{"epoch":12.0,"val_loss":0.41273891,"val_acc":0.87654321}})";
  std::uint64_t seq = 0;
  for (auto _ : state) {
    event.seq = seq;
    event.time = 0.001 * static_cast<double>(seq);
    event.trial = seq % 64;
    store->append(event);
    if (++seq % flush_every == 0) store->flush();
  }
  store->flush();
  state.counters["events_per_s"] =
      benchmark::Counter(static_cast<double>(seq), benchmark::Counter::kIsRate);
}

BENCHMARK_CAPTURE(BM_AppendResultEvents, process_crash, "normal", Durability::kProcessCrash)
    ->ArgName("flush_every")
    ->Arg(64)
    ->Arg(1)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
// For comparison: synchronous=FULL fsyncs every commit (the power-loss option).
BENCHMARK_CAPTURE(BM_AppendResultEvents, power_loss, "full", Durability::kPowerLoss)
    ->ArgName("flush_every")
    ->Arg(64)
    ->Arg(1)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
