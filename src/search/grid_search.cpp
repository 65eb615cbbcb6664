// Grid search: every grid point, num_samples times over, random axes drawn per trial.
#include <limits>

#include <fmt/format.h>

#include "search/sample_config.hpp"
#include "tuneq/error.hpp"
#include "tuneq/searcher.hpp"

namespace tuneq {
namespace {

class GridSearch final : public Searcher {
 public:
  GridSearch(Space space, RandomSearchOptions options)
      : space_(std::move(space)),
        seed_(options.seed),
        grid_size_(space_.grid_size()),
        num_samples_(options.num_samples == 0 ? 1 : options.num_samples) {
    for (std::size_t i = 0; i < space_.params().size(); ++i) {
      if (space_.params()[i].domain.is_grid()) grid_axes_.push_back(i);
    }
    if (grid_size_ > std::numeric_limits<std::uint64_t>::max() / num_samples_) {
      throw Error::InvalidArgument(fmt::format(
          "grid search: {} grid points x num_samples {} is too many", grid_size_, num_samples_));
    }
    total_ = grid_size_ * num_samples_;
  }

  Suggestion suggest(TrialId id) override {
    if (suggested_ >= total_) return Suggestion::Done();
    // Suggestion k is sample k / G at grid point k % G; the sample number needs no state of its
    // own because the random axes come from the trial id's stream.
    std::uint64_t point = suggested_ % grid_size_;
    ++suggested_;
    Config config = detail::sample_random_params(space_, seed_, id);
    // Mixed-radix decode, last grid axis varying fastest (lexicographic order in space order).
    for (auto it = grid_axes_.rbegin(); it != grid_axes_.rend(); ++it) {
      const auto& param = space_.params()[*it];
      const auto& values = param.domain.values();
      config[param.name] = values[point % values.size()];
      point /= values.size();
    }
    return Suggestion::Of(std::move(config));
  }

 private:
  Space space_;
  std::uint64_t seed_;
  std::uint64_t grid_size_;
  std::uint64_t num_samples_;
  std::uint64_t total_ = 0;
  std::vector<std::size_t> grid_axes_;  // indices into space_.params(), in space order
  std::uint64_t suggested_ = 0;
};

}  // namespace

std::unique_ptr<Searcher> make_grid_search(Space space, RandomSearchOptions options) {
  return std::make_unique<GridSearch>(std::move(space), options);
}

}  // namespace tuneq
