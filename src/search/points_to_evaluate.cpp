// Points to evaluate: the user's starting points first, then whatever `inner` suggests.
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "search/sample_config.hpp"
#include "tuneq/error.hpp"
#include "tuneq/searcher.hpp"

namespace tuneq {
namespace {

// Strings quoted (so "5" and 5 read differently), numbers and bools plain.
std::string render(const Value& v) {
  return v.is_string() ? v.to_json() : v.to_string();
}

bool is_float_domain(Domain::Kind kind) {
  switch (kind) {
    case Domain::Kind::kUniform:
    case Domain::Kind::kQUniform:
    case Domain::Kind::kLogUniform:
    case Domain::Kind::kQLogUniform:
    case Domain::Kind::kRandn:
      return true;
    default:
      return false;
  }
}

// The value as the domain itself would produce it: a float domain given an int gets the double;
// a choice/grid value given as 1 where the domain lists 1.0 gets the listed 1.0. So a point's
// config has the same types as a drawn one.
Value normalized(const Domain& domain, const Value& v) {
  if (is_float_domain(domain.kind()) && v.is_int()) return v.as_float();
  if (domain.kind() == Domain::Kind::kChoice || domain.kind() == Domain::Kind::kGrid) {
    for (const auto& listed : domain.values()) {
      if (listed == v) return listed;
    }
    for (const auto& listed : domain.values()) {
      if (listed.is_number() && v.is_number() && listed.as_float() == v.as_float()) return listed;
    }
  }
  return v;
}

// Throws Error::InvalidArgument naming the point (0-based index) and the parameter.
Config validated_point(const Space& space, const Config& point, std::size_t index) {
  Config out;
  for (const auto& [name, value] : point) {
    const Space::Param* param = space.find(name);
    if (param == nullptr) {
      throw Error::InvalidArgument(fmt::format("point {}: unknown parameter '{}'", index, name));
    }
    if (!param->domain.contains(value)) {
      throw Error::InvalidArgument(fmt::format("point {}: parameter '{}' = {} is outside {}", index,
                                               name, render(value), param->domain.to_string()));
    }
    out.emplace(name, normalized(param->domain, value));
  }
  return out;
}

class PointsToEvaluate final : public Searcher {
 public:
  PointsToEvaluate(Space space, std::vector<Config> points, std::uint64_t seed,
                   std::unique_ptr<Searcher> inner)
      : space_(std::move(space)), seed_(seed), inner_(std::move(inner)) {
    points_.reserve(points.size());
    for (std::size_t i = 0; i < points.size(); ++i) {
      points_.push_back(validated_point(space_, points[i], i));
    }
  }

  Suggestion suggest(TrialId id) override {
    if (next_ < points_.size()) return Suggestion::Of(complete(points_[next_++], id));
    if (inner_ == nullptr) return Suggestion::Done();
    return inner_->suggest(id);
  }

  void on_result(TrialId id, const Result& result) override {
    if (inner_ != nullptr) inner_->on_result(id, result);
  }

  void on_trial_finished(TrialId id, TrialEnd how) override {
    if (inner_ != nullptr) inner_->on_trial_finished(id, how);
  }

 private:
  // Fills what the point leaves out. All random params are drawn (in space order, as random
  // search would) and the point's values then override theirs, so a missing param gets exactly
  // the value random search would give trial `id`. A missing grid axis takes its first value.
  Config complete(const Config& point, TrialId id) const {
    Config config = detail::sample_random_params(space_, seed_, id);
    for (const auto& param : space_.params()) {
      if (param.domain.is_grid()) config[param.name] = param.domain.values().front();
    }
    for (const auto& [name, value] : point) config[name] = value;
    return config;
  }

  Space space_;
  std::uint64_t seed_;
  std::vector<Config> points_;
  std::unique_ptr<Searcher> inner_;  // may be null: Done after the points
  std::size_t next_ = 0;
};

}  // namespace

std::unique_ptr<Searcher> make_points_to_evaluate(Space space, std::vector<Config> points,
                                                  std::uint64_t seed,
                                                  std::unique_ptr<Searcher> inner) {
  return std::make_unique<PointsToEvaluate>(std::move(space), std::move(points), seed,
                                            std::move(inner));
}

}  // namespace tuneq
