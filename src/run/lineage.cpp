// Lineage of PBT trials (include/tuneq/pbt.hpp): config schedules from the event log, and the
// scheduler that makes one trial follow a schedule.
#include <cmath>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/json_value.hpp"
#include "tuneq/clock.hpp"
#include "tuneq/error.hpp"
#include "tuneq/pbt.hpp"
#include "tuneq/searcher.hpp"

namespace tuneq {
namespace {

nlohmann::json payload(const Event& e) {
  nlohmann::json j = nlohmann::json::parse(e.data, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    throw Error::Corruption(
        fmt::format("event {} ({}): payload is not a JSON object", e.seq, to_string(e.kind)));
  }
  return j;
}

// Pauses the one trial where the next step begins and restarts it from its own checkpoint with
// that step's config.
class ScheduleFollower final : public Scheduler {
 public:
  explicit ScheduleFollower(ConfigSchedule schedule) : schedule_(std::move(schedule)) {
    if (schedule_.empty()) throw Error::InvalidArgument("schedule follower: the schedule is empty");
    for (std::size_t i = 1; i < schedule_.size(); ++i) {
      if (!(schedule_[i].resource > schedule_[i - 1].resource)) {
        throw Error::InvalidArgument(
            fmt::format("schedule follower: step {} starts at resource {}, not after step {} ({})",
                        i, schedule_[i].resource, i - 1, schedule_[i - 1].resource));
      }
    }
  }

  std::string name() const override { return "schedule"; }

  void on_checkpoint(TrialId id, double resource) override {
    (void)id;
    checkpoint_ = resource;
  }

  Decision on_result(TrialId id, const Result& result, const LoopState& loop) override {
    (void)id, (void)loop;
    if (next_ < schedule_.size() && result.resource >= schedule_[next_].resource && checkpoint_) {
      switch_pending_ = true;
      paused_ = true;
      return Decision::Pause("schedule: step {} from resource {}",
                             {static_cast<double>(next_), schedule_[next_].resource});
    }
    return Decision::Continue();
  }

  SlotChoice on_free_slot(const LoopState& loop) override {
    if (loop.can_start_new) return SlotChoice::StartNew();
    if (!paused_) return SlotChoice::Wait();
    paused_ = false;
    return SlotChoice::Resume(0);
  }

  std::optional<Exploit> take_exploit(TrialId id) override {
    if (!switch_pending_) return std::nullopt;
    switch_pending_ = false;
    Exploit exploit{id, *checkpoint_, schedule_[next_].config};
    ++next_;
    return exploit;
  }

 private:
  ConfigSchedule schedule_;
  std::size_t next_ = 1;
  std::optional<double> checkpoint_;
  bool switch_pending_ = false;
  bool paused_ = false;
};

// The schedule's first config, once.
class OneConfig final : public Searcher {
 public:
  explicit OneConfig(Config config) : config_(std::move(config)) {}
  Suggestion suggest(TrialId id) override {
    return id == 0 ? Suggestion::Of(config_) : Suggestion::Done();
  }

 private:
  Config config_;
};

}  // namespace

void LineageBuilder::apply(const Event& e) {
  if (e.kind == Event::Kind::kTrialAdded) {
    schedules_[e.trial] = {ScheduleStep{0, detail::from_json_config(payload(e).at("config")), {}}};
    return;
  }
  if (e.kind != Event::Kind::kExploit) return;
  const nlohmann::json j = payload(e);
  const TrialId source = j.at("source").get<TrialId>();
  const double resource = j.at("resource").get<double>();
  const auto from = schedules_.find(source);
  if (from == schedules_.end() || !schedules_.contains(e.trial)) {
    throw Error::Corruption(
        fmt::format("event {}: exploit of trial {} from trial {}: a trial "
                    "that was never added",
                    e.seq, e.trial, source));
  }
  ConfigSchedule schedule;
  for (const ScheduleStep& step : from->second) {
    if (step.resource < resource) schedule.push_back(step);
  }
  schedule.push_back({resource, detail::from_json_config(j.at("config")), source});
  schedules_[e.trial] = std::move(schedule);
}

std::map<TrialId, ConfigSchedule> config_schedules(const std::vector<Event>& events) {
  LineageBuilder builder;
  for (const Event& e : events) builder.apply(e);
  return builder.schedules();
}

std::unique_ptr<Scheduler> make_schedule_follower(ConfigSchedule schedule) {
  return std::make_unique<ScheduleFollower>(std::move(schedule));
}

TuneResult replay_schedule(const ConfigSchedule& schedule, Trainable trainable,
                           TunerOptions options) {
  auto scheduler = make_schedule_follower(schedule);
  options.pool = ResourcePool{};
  options.per_trial = Resources{};
  options.max_concurrent = 1;
  options.budget = Budget{};
  options.budget.max_trials = 1;
  std::unique_ptr<Clock> clock = make_system_clock();
  std::unique_ptr<Executor> executor =
      make_inprocess_executor(std::move(trainable), 1, clock.get());
  Tuner tuner(std::move(options), std::make_unique<OneConfig>(schedule.front().config),
              std::move(scheduler), *executor, *clock);
  return tuner.run();
}

}  // namespace tuneq
