// Concurrency limiter: caps the number of live trials a wrapped searcher has started.
#include <set>

#include "tuneq/error.hpp"
#include "tuneq/searcher.hpp"

namespace tuneq {
namespace {

class ConcurrencyLimiter final : public Searcher {
 public:
  ConcurrencyLimiter(std::unique_ptr<Searcher> inner, std::size_t max_concurrent)
      : inner_(std::move(inner)), max_concurrent_(max_concurrent) {
    if (inner_ == nullptr) {
      throw Error::InvalidArgument("concurrency limiter: the inner searcher is missing");
    }
    if (max_concurrent_ == 0) {
      throw Error::InvalidArgument("concurrency limiter: max_concurrent must be >= 1, got 0");
    }
  }

  Suggestion suggest(TrialId id) override {
    // At the limit the inner searcher is not asked at all, so it neither counts the call
    // against num_samples nor advances its grid.
    if (live_.size() >= max_concurrent_) return Suggestion::Wait();
    Suggestion s = inner_->suggest(id);
    if (s.kind == Suggestion::Kind::kConfig) live_.insert(id);
    return s;
  }

  void on_result(TrialId id, const Result& result) override { inner_->on_result(id, result); }

  void on_trial_finished(TrialId id, TrialEnd how) override {
    live_.erase(id);  // unknown ids (not suggested through us) are forwarded, not counted
    inner_->on_trial_finished(id, how);
  }

 private:
  std::unique_ptr<Searcher> inner_;
  std::size_t max_concurrent_;
  std::set<TrialId> live_;  // suggested with kConfig, not yet finished
};

}  // namespace

std::unique_ptr<Searcher> make_concurrency_limiter(std::unique_ptr<Searcher> inner,
                                                   std::size_t max_concurrent) {
  return std::make_unique<ConcurrencyLimiter>(std::move(inner), max_concurrent);
}

}  // namespace tuneq
