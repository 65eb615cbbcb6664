// The median stopping rule (Golovin et al., "Google Vizier", KDD 2017) with Ray Tune's semantics
// (ray/tune/schedulers/median_stopping_rule.py). See docs/schedulers/median_stopping.md.
//
// On a result of trial T at resource t with value v:
//   1. T was already stopped by the rule as a pause (hard_stop = false): Continue (FIFO from then
//      on; the result is not recorded).
//   2. Record the result. t < grace_period: Continue.
//   3. others = trials other than T whose last recorded resource is >= t (ended ones included).
//      Fewer than min_samples_required: yield (Pause) if t - T's last yield > min_time_slice and
//      some trial waits for a slot, else Continue.
//   4. median = median over others of their running mean at t: the mean of their non-NaN values
//      with grace_period <= resource <= t (none: "no mean", ranked below everything; a middle
//      entry without a mean makes the median NaN). best = T's best value over all its results.
//      best NaN (T never reported a number), or best strictly worse than a non-NaN median: Stop
//      (hard_stop) or Pause and remember T as stopped (soft). Otherwise Continue.
//
// Scalable form. For each distinct resource level L >= grace_period reported so far, a
// MedianLevel holds the running mean at L of every trial whose last resource is >= L. A report
// of T at t inserts T into each existing level in (prev_t, t) with its mean as of prev_t (it had
// no results in between), takes the median of level t before T joins it (so T is excluded), and
// then inserts T's new mean at t. A level created while other trials have already gone past it is
// backfilled once from its neighbour. With resources on a grid (epochs, steps, report counts) a
// report crosses one level: O(1) amortised heap work plus O(log levels) for the map. With a
// continuous resource (seconds) every report makes a level, crosses many, and the cost grows with
// the number of trials: prefer integer resources (documented in the user docs).
//
// A result whose resource is below the trial's previous one (e.g. replayed after restoring an
// older checkpoint) is answered Continue and not recorded, so nothing is counted twice.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <iterator>
#include <limits>
#include <map>
#include <memory>
#include <queue>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "schedule/median_level.hpp"
#include "tuneq/error.hpp"
#include "tuneq/scheduler.hpp"

namespace tuneq {
namespace {

using detail::MedianLevel;

constexpr double kNever = -std::numeric_limits<double>::infinity();

enum class Phase : std::uint8_t { kRunning, kPaused, kEnded };

struct TrialStats {
  double last_t = kNever;   // resource of its last recorded result
  double sum = 0;           // of its non-NaN values at resource >= grace_period
  std::uint64_t count = 0;  // how many values make up sum
  double best = std::numeric_limits<double>::quiet_NaN();  // over all its results
  double last_yield = kNever;  // resource at which it last yielded for lack of samples
  Phase phase = Phase::kRunning;
  bool stopped_by_rule = false;  // soft stop: paused by the rule, runs FIFO if resumed

  double mean() const {
    return count == 0 ? std::numeric_limits<double>::quiet_NaN() : sum / double(count);
  }
};

void validate(const MedianStoppingOptions& o) {
  if (!(o.grace_period >= 0)) {
    throw Error::InvalidArgument(
        fmt::format("median_stopping: grace_period must be >= 0, got {}", o.grace_period));
  }
  if (!(o.min_time_slice >= 0)) {
    throw Error::InvalidArgument(
        fmt::format("median_stopping: min_time_slice must be >= 0, got {}", o.min_time_slice));
  }
  if (o.min_samples_required < 1) {
    throw Error::InvalidArgument("median_stopping: min_samples_required must be >= 1, got 0");
  }
}

class MedianStopping final : public Scheduler {
 public:
  explicit MedianStopping(const MedianStoppingOptions& options) : options_(options) {
    validate(options_);
  }

  std::string name() const override { return "median_stopping"; }

  void on_trial_added(TrialId id, const Config& /*config*/) override { stats(id); }

  Decision on_result(TrialId id, const Result& result, const LoopState& loop) override {
    TrialStats& trial = stats(id);
    if (trial.phase == Phase::kPaused) trial.phase = Phase::kRunning;  // resumed
    if (trial.stopped_by_rule) return Decision::Continue();
    const double t = result.resource;
    if (std::isnan(t) || t < trial.last_t) return Decision::Continue();

    const double v = result.value;
    if (better(options_.mode, v, trial.best)) trial.best = v;
    const double prev_t = trial.last_t;
    const double old_mean = trial.mean();
    if (t >= options_.grace_period && !std::isnan(v)) {
      trial.sum += v;
      ++trial.count;
    }
    trial.last_t = t;
    if (t < options_.grace_period) {
      max_last_t_ = std::max(max_last_t_, t);
      return Decision::Continue();
    }
    MedianLevel& level = enter_levels(id, prev_t, t, old_mean);
    const Decision decision = judge(id, trial, t, level, loop);
    level.insert({mean_score(trial.mean()), id});
    max_last_t_ = std::max(max_last_t_, t);
    return decision;
  }

  void on_trial_finished(TrialId id, TrialEnd how) override {
    (void)how;
    stats(id).phase = Phase::kEnded;  // its entries stay: Ray counts every trial that reached t
  }

  // Ray's FIFO order: pending new trials first, then paused ones, earliest trial first.
  SlotChoice on_free_slot(const LoopState& loop) override {
    if (loop.can_start_new) return SlotChoice::StartNew();
    while (!paused_.empty()) {
      const TrialId id = paused_.top();
      paused_.pop();
      if (trials_[id].phase == Phase::kPaused) {
        trials_[id].phase = Phase::kRunning;
        return SlotChoice::Resume(id);
      }
    }
    return SlotChoice::Wait();
  }

 private:
  TrialStats& stats(TrialId id) {
    if (id >= trials_.size()) trials_.resize(id + 1);
    return trials_[id];
  }

  // Larger is better; NaN (no mean, or +inf and -inf mixed) stays NaN and ranks last.
  double mean_score(double mean) const { return options_.mode == Mode::kMax ? mean : -mean; }

  // Puts trial `id` (whose last resource was prev_t, with running mean old_mean then) into every
  // existing level in (prev_t, t), and returns level t without the trial in it.
  MedianLevel& enter_levels(TrialId id, double prev_t, double t, double old_mean) {
    if (prev_t == t) {  // a second report at the same resource: replace its entry
      MedianLevel& level = levels_.find(t)->second;
      level.erase({mean_score(old_mean), id});
      return level;
    }
    auto it = levels_.upper_bound(prev_t);
    for (; it != levels_.end() && it->first < t; ++it) {
      it->second.insert({mean_score(old_mean), id});
    }
    if (it != levels_.end() && it->first == t) return it->second;
    auto created = levels_.emplace_hint(it, t, MedianLevel{});
    if (max_last_t_ >= t) backfill(created, id);
    return created->second;
  }

  // Fills a new level t with the trials (other than `self`) already past t. With a level below,
  // their mean at t equals their mean there (no results in between, else that would be a level),
  // and the level below holds every trial past t. Without one, they have no result in
  // [grace_period, t]: all of them sit in the level above, with no mean at t.
  void backfill(std::map<double, MedianLevel>::iterator created, TrialId self) {
    const double t = created->first;
    MedianLevel& level = created->second;
    if (created != levels_.begin()) {
      std::prev(created)->second.for_each([&](const MedianLevel::Entry& e) {
        if (e.id != self && trials_[e.id].last_t >= t) level.insert(e);
      });
    } else if (auto above = std::next(created); above != levels_.end()) {
      above->second.for_each([&](const MedianLevel::Entry& e) {
        if (e.id != self) level.insert({std::numeric_limits<double>::quiet_NaN(), e.id});
      });
    }
  }

  Decision judge(TrialId id, TrialStats& trial, double t, const MedianLevel& others,
                 const LoopState& loop) {
    const auto n = static_cast<double>(others.size());
    if (others.size() < options_.min_samples_required) {
      if (t - trial.last_yield > options_.min_time_slice && loop.waiting > 0) {
        trial.last_yield = t;
        pause(id, trial);
        return Decision::Pause("yielding: {} of {} trials needed reached {}",
                               {n, double(options_.min_samples_required), t});
      }
      return Decision::Continue();
    }
    const double score = others.median_score();
    // A NaN median prints as "nan", never "-nan".
    const double median = std::isnan(score)             ? std::numeric_limits<double>::quiet_NaN()
                          : options_.mode == Mode::kMax ? score
                                                        : -score;
    const double best = trial.best;
    if (!std::isnan(best) && (std::isnan(median) || !better(options_.mode, median, best))) {
      return Decision::Continue();
    }
    trial.stopped_by_rule = true;
    static constexpr const char* kWhy = "best {} worse than median {} of {} trials at {}";
    if (options_.hard_stop) {
      trial.phase = Phase::kEnded;
      return Decision::Stop(kWhy, {best, median, n, t});
    }
    pause(id, trial);
    return Decision::Pause(kWhy, {best, median, n, t});
  }

  void pause(TrialId id, TrialStats& trial) {
    trial.phase = Phase::kPaused;
    paused_.push(id);
  }

  const MedianStoppingOptions options_;
  std::vector<TrialStats> trials_;
  std::map<double, MedianLevel> levels_;  // resource level -> running means of trials past it
  double max_last_t_ = kNever;            // largest last_t of any trial
  // Paused trials, earliest first; entries of trials resumed or ended since are skipped.
  std::priority_queue<TrialId, std::vector<TrialId>, std::greater<>> paused_;
};

}  // namespace

std::unique_ptr<Scheduler> make_median_stopping(const MedianStoppingOptions& options) {
  return std::make_unique<MedianStopping>(options);
}

}  // namespace tuneq
