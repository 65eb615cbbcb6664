// Random search: each trial's config is a pure function of (seed, trial id).
#include <fmt/format.h>

#include "search/sample_config.hpp"
#include "tuneq/error.hpp"
#include "tuneq/searcher.hpp"

namespace tuneq {
namespace {

class RandomSearch final : public Searcher {
 public:
  RandomSearch(Space space, RandomSearchOptions options)
      : space_(std::move(space)), options_(options) {
    for (const auto& param : space_.params()) {
      if (param.domain.is_grid()) {
        throw Error::InvalidArgument(
            fmt::format("parameter '{}' is a grid axis: use grid search", param.name));
      }
    }
  }

  Suggestion suggest(TrialId id) override {
    // num_samples counts suggestions, not ids: the tuner may skip ids for other reasons.
    if (options_.num_samples != 0 && suggested_ >= options_.num_samples) {
      return Suggestion::Done();
    }
    ++suggested_;
    return Suggestion::Of(detail::sample_random_params(space_, options_.seed, id));
  }

 private:
  Space space_;
  RandomSearchOptions options_;
  std::uint64_t suggested_ = 0;
};

}  // namespace

std::unique_ptr<Searcher> make_random_search(Space space, RandomSearchOptions options) {
  return std::make_unique<RandomSearch>(std::move(space), options);
}

}  // namespace tuneq
