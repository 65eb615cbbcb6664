// Population-based training (Jaderberg et al., 2017) with Ray Tune's semantics
// (ray/tune/schedulers/pbt.py); docs/schedulers/pbt.md lists where tuneq differs and why.
//
// On a result of trial T at resource t with value v:
//   1. t < burn_in_period, or t - T.last_perturbation_time < perturbation_interval: Continue.
//   2. T's state is saved: score = score(mode, v), last_train_time = t (only boundary results
//      count for the ranking, as in Ray).
//   3. Asynchronous: last_perturbation_time = t; rank the live trials that have a score (by
//      score, then id); k = ceil(n * q) capped at floor(n / 2). T in the bottom k and some top-k
//      trial other than T has a checkpoint: draw the clone source among those, Pause ("exploit:
//      bottom k of n, clone trial S"); the loop resumes T later through on_free_slot and
//      take_exploit. Else, if trials wait for a slot (LoopState::waiting > 0): Pause (yield) so
//      the least-trained waiting trial runs. Else Continue.
//   4. Synchronous: T pauses. When no other live trial is behind the barrier (last_train_time <
//      next_sync) and no trial can still be added, the whole population is ranked at once (top,
//      middle, bottom), every live trial's last_perturbation_time becomes t, the bottom k get a
//      clone source, and next_sync = max(next_sync + interval, largest live last_train_time).
//      The same ranking happens when the last trial behind the barrier finishes, or when the
//      searcher runs out while everyone waits at the barrier (Ray hangs in both cases).
// on_free_slot: start a new trial while the loop can; else resume the paused trial with the
// least last_train_time (ties: lowest id), in synchronous mode only those behind the barrier.
// take_exploit(T): explore the source's current config (rng from seed, T, T's exploit count);
// T takes the source's checkpoint resource as its last_train_time and last_perturbation_time.
// If the source finished in the meantime the exploit is dropped (T resumes as itself).
// Cost: O(1) per result between boundaries, O(n log n) at a boundary (populations are small).
#include "schedule/pbt.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "tuneq/error.hpp"

namespace tuneq::detail {
namespace {

using State = PbtMember::State;

// Marks PBT's draws apart from other users of Rng::ForStream with the same seed.
constexpr std::uint64_t kPbtIndexTag = 0x7062740000000000ULL;  // "pbt"

class PopulationScheduler final : public Scheduler {
 public:
  PopulationScheduler(const PbtOptions& options, std::unique_ptr<Explorer> explorer,
                      std::string name)
      : options_(options),
        explorer_(std::move(explorer)),
        name_(std::move(name)),
        next_sync_(std::max(options.perturbation_interval, options.burn_in_period)) {
    validate_pbt_options(options_);
    if (!explorer_) throw Error::InvalidArgument("PBT: the explorer must not be null");
  }

  std::string name() const override { return name_; }

  void on_trial_added(TrialId id, const Config& config) override {
    if (id != members_.size()) {
      throw Error::FailedPrecondition(
          fmt::format("{}: trial {} added where trial {} was due", name_, id, members_.size()));
    }
    explorer_->check_config(id, config);
    PbtMember& m = members_.emplace_back();
    m.id = id;
    m.config = config;
  }

  void on_checkpoint(TrialId id, double resource) override {
    PbtMember& m = member(id);
    m.has_checkpoint = true;
    m.checkpoint_resource = resource;
  }

  Decision on_result(TrialId id, const Result& result, const LoopState& loop) override {
    PbtMember& m = member(id);
    const double t = result.resource;
    if (m.state != State::kRunning) return Decision::Continue();  // not ours to rank now
    if (!(t >= options_.burn_in_period)) return Decision::Continue();
    if (!(t - m.last_perturbation_time >= options_.perturbation_interval)) {
      return Decision::Continue();
    }
    m.has_score = true;
    m.score = score(options_.mode, result.value);
    m.last_train_time = t;
    history_.push_back({id, t, m.score, m.config});

    if (options_.synch) {
      m.state = State::kPaused;
      const std::size_t behind = count_behind_barrier();
      if (behind > 0 || (loop.can_start_new && !no_more_trials_)) {
        return Decision::Pause("synch: waiting at {} for {} trials to reach {}",
                               {t, static_cast<double>(behind), next_sync_});
      }
      const Ranking r = synchronise(t);
      if (m.clone_source) {
        return Decision::Pause("exploit: bottom {} of {}, clone trial {}",
                               {static_cast<double>(r.k), static_cast<double>(r.n),
                                static_cast<double>(*m.clone_source)});
      }
      return Decision::Pause("synch: population ranked at {} ({} trials)",
                             {t, static_cast<double>(r.n)});
    }

    m.last_perturbation_time = t;
    const Ranking r = rank();
    if (r.in_bottom(id)) {
      if (const std::optional<TrialId> source = choose_source(m, r)) {
        m.clone_source = source;
        m.state = State::kPaused;
        return Decision::Pause(
            "exploit: bottom {} of {}, clone trial {}",
            {static_cast<double>(r.k), static_cast<double>(r.n), static_cast<double>(*source)});
      }
    }
    if (loop.waiting > 0) {
      m.state = State::kPaused;
      return Decision::Pause("yield at {}: {} trials waiting",
                             {t, static_cast<double>(loop.waiting)});
    }
    return Decision::Continue();
  }

  void on_trial_finished(TrialId id, TrialEnd how) override {
    (void)how;
    PbtMember& m = member(id);
    m.state = State::kFinished;
    m.clone_source.reset();
    maybe_synchronise();
  }

  SlotChoice on_free_slot(const LoopState& loop) override {
    if (loop.can_start_new) return SlotChoice::StartNew();
    PbtMember* best = nullptr;
    for (PbtMember& m : members_) {
      if (m.state != State::kPaused) continue;
      if (options_.synch && m.last_train_time >= next_sync_) continue;  // waits at the barrier
      if (best == nullptr || m.last_train_time < best->last_train_time) best = &m;
    }
    if (best == nullptr) return SlotChoice::Wait();
    best->state = State::kRunning;
    return SlotChoice::Resume(best->id);
  }

  std::optional<Exploit> take_exploit(TrialId id) override {
    PbtMember& m = member(id);
    if (!m.clone_source) return std::nullopt;
    const PbtMember& source = member(*m.clone_source);
    m.clone_source.reset();
    // The source finished while this trial waited for a slot: its latest checkpoint is its last
    // one, and a clone of it would end at once without training. Ray clones at the decision, when
    // the source was live; here the exploit is dropped and the trial goes on as itself.
    if (source.state == State::kFinished) return std::nullopt;
    Rng rng = pbt_rng(options_.seed, id, m.exploits, /*explore=*/true);
    Exploit exploit;
    exploit.source = source.id;
    exploit.resource = source.checkpoint_resource;
    exploit.config =
        explorer_->explore(id, source.id, source.config, PbtPopulation{members_, history_}, rng);
    ++m.exploits;
    m.config = exploit.config;
    m.has_checkpoint = true;
    m.checkpoint_resource = exploit.resource;
    m.last_train_time = exploit.resource;
    m.last_perturbation_time = exploit.resource;
    return exploit;
  }

  void on_no_more_trials() override {
    no_more_trials_ = true;
    maybe_synchronise();
  }

 private:
  struct Ranking {
    std::vector<TrialId> order;  // ascending score (worst first), ties by id
    std::size_t n = 0;
    std::size_t k = 0;
    bool in_bottom(TrialId id) const {
      return std::find(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), id) !=
             order.begin() + static_cast<std::ptrdiff_t>(k);
    }
  };

  PbtMember& member(TrialId id) {
    if (id >= members_.size()) {
      throw Error::FailedPrecondition(fmt::format("{}: unknown trial {}", name_, id));
    }
    return members_[id];
  }

  Ranking rank() const {
    Ranking r;
    for (const PbtMember& m : members_) {
      if (m.state != State::kFinished && m.has_score) r.order.push_back(m.id);
    }
    std::sort(r.order.begin(), r.order.end(), [&](TrialId a, TrialId b) {
      const double sa = members_[a].score, sb = members_[b].score;
      return sa != sb ? sa < sb : a < b;
    });
    r.n = r.order.size();
    r.k = pbt_quantile_size(r.n, options_.quantile_fraction);
    return r;
  }

  // A top-k trial other than m that has a checkpoint, drawn uniformly; nullopt if none.
  std::optional<TrialId> choose_source(const PbtMember& m, const Ranking& r) const {
    std::vector<TrialId> candidates;
    for (std::size_t i = r.n - r.k; i < r.n; ++i) {
      const TrialId id = r.order[i];
      if (id != m.id && members_[id].has_checkpoint) candidates.push_back(id);
    }
    if (candidates.empty()) return std::nullopt;
    Rng rng = pbt_rng(options_.seed, m.id, m.exploits, /*explore=*/false);
    return candidates[rng.below(candidates.size())];
  }

  std::size_t count_behind_barrier() const {
    std::size_t behind = 0;
    for (const PbtMember& m : members_) {
      if (m.state != State::kFinished && m.last_train_time < next_sync_) ++behind;
    }
    return behind;
  }

  // Ranks the whole population at the barrier (synchronous mode).
  Ranking synchronise(double time) {
    const Ranking r = rank();
    double latest = -std::numeric_limits<double>::infinity();
    for (PbtMember& m : members_) {
      if (m.state == State::kFinished) continue;
      m.last_perturbation_time = time;
      latest = std::max(latest, m.last_train_time);
    }
    for (std::size_t i = 0; i < r.k; ++i) {
      PbtMember& m = members_[r.order[i]];
      m.clone_source = choose_source(m, r);
    }
    next_sync_ = std::max(next_sync_ + options_.perturbation_interval, latest);
    return r;
  }

  // Synchronous mode, after a trial finished or the population became final: rank if everyone
  // left is waiting at the barrier (nobody would report again to trigger it).
  void maybe_synchronise() {
    if (!options_.synch || !no_more_trials_) return;
    double latest = -std::numeric_limits<double>::infinity();
    bool any = false;
    for (const PbtMember& m : members_) {
      if (m.state == State::kFinished) continue;
      if (m.state != State::kPaused || m.last_train_time < next_sync_) return;
      any = true;
      latest = std::max(latest, m.last_train_time);
    }
    if (any) synchronise(latest);
  }

  PbtOptions options_;
  std::unique_ptr<Explorer> explorer_;
  std::string name_;
  std::vector<PbtMember> members_;  // by id
  std::vector<PbtRecord> history_;
  double next_sync_;
  bool no_more_trials_ = false;
};

}  // namespace

void validate_pbt_options(const PbtOptions& o, std::string_view scheduler) {
  // Written as !(x > y) so that NaN fails every check.
  if (!(o.perturbation_interval > 0) || !std::isfinite(o.perturbation_interval)) {
    throw Error::InvalidArgument(
        fmt::format("{} option perturbation_interval must be > 0 and finite, got {}", scheduler,
                    o.perturbation_interval));
  }
  if (!(o.burn_in_period >= 0) || !std::isfinite(o.burn_in_period)) {
    throw Error::InvalidArgument(fmt::format(
        "{} option burn_in_period must be >= 0 and finite, got {}", scheduler, o.burn_in_period));
  }
  if (!(o.quantile_fraction > 0) || !(o.quantile_fraction <= 0.5)) {
    throw Error::InvalidArgument(fmt::format(
        "{} option quantile_fraction must be in (0, 0.5], got {}", scheduler, o.quantile_fraction));
  }
  if (!(o.resample_probability >= 0) || !(o.resample_probability <= 1)) {
    throw Error::InvalidArgument(
        fmt::format("{} option resample_probability must be in [0, 1], got {}", scheduler,
                    o.resample_probability));
  }
  if (o.perturbation_factors.empty()) {
    throw Error::InvalidArgument(
        fmt::format("{} option perturbation_factors must not be empty", scheduler));
  }
  for (double f : o.perturbation_factors) {
    if (!(f > 0) || !std::isfinite(f)) {
      throw Error::InvalidArgument(fmt::format(
          "{} option perturbation_factors must be > 0 and finite, got {}", scheduler, f));
    }
  }
}

std::size_t pbt_quantile_size(std::size_t n, double quantile_fraction) {
  if (n <= 1) return 0;
  auto k = static_cast<std::size_t>(std::ceil(static_cast<double>(n) * quantile_fraction));
  return std::min(k, n / 2);
}

Rng pbt_rng(std::uint64_t seed, TrialId trial, std::uint64_t exploits, bool explore) {
  // The stream names the trial and the purpose; the index counts the trial's exploits.
  return Rng::ForStream(seed, (trial << 1) | (explore ? 1U : 0U), kPbtIndexTag ^ exploits);
}

std::unique_ptr<Scheduler> make_population_scheduler(const PbtOptions& options,
                                                     std::unique_ptr<Explorer> explorer,
                                                     std::string name) {
  return std::make_unique<PopulationScheduler>(options, std::move(explorer), std::move(name));
}

}  // namespace tuneq::detail

namespace tuneq {

std::unique_ptr<Scheduler> make_pbt(const PbtOptions& options) {
  detail::validate_pbt_options(options);
  auto explorer = std::make_unique<detail::RandomExplorer>(
      options.hyperparam_mutations, options.resample_probability, options.perturbation_factors);
  return detail::make_population_scheduler(options, std::move(explorer), "pbt");
}

}  // namespace tuneq
