#include "schedule/pb2_bandit.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <numbers>
#include <numeric>
#include <utility>

namespace tuneq::detail {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();
constexpr double kScaleGuard = 1e-8;  // Ray's guard against a zero range or a zero sd

// Maximises f over the box [lo, hi] by compass search: try a step up and down along each
// coordinate in turn, move on the first improvement, halve every step after a sweep without one;
// stop when every step is below min_step or max_evals evaluations were spent. x and fx hold the
// best point and its value on return. Deterministic.
template <class F>
void compass_maximize(F&& f, Eigen::VectorXd& x, double& fx, const Eigen::VectorXd& lo,
                      const Eigen::VectorXd& hi, Eigen::VectorXd step,
                      const Eigen::VectorXd& min_step, int max_evals, int& evals) {
  const Eigen::Index d = x.size();
  while (evals < max_evals) {
    bool moved = false;
    for (Eigen::Index i = 0; i < d && evals < max_evals; ++i) {
      for (const double sign : {1.0, -1.0}) {
        if (evals >= max_evals) break;
        Eigen::VectorXd y = x;
        y(i) = std::clamp(x(i) + sign * step(i), lo(i), hi(i));
        if (y(i) == x(i)) continue;
        const double fy = f(y);
        ++evals;
        if (fy > fx) {
          x = std::move(y);
          fx = fy;
          moved = true;
          break;
        }
      }
    }
    if (!moved) {
      step *= 0.5;
      if ((step.array() < min_step.array()).all()) return;
    }
  }
}

// Squared Euclidean distances between the rows of a and the rows of b.
Eigen::MatrixXd squared_distances(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  const Eigen::VectorXd an = a.rowwise().squaredNorm();
  const Eigen::RowVectorXd bn = b.rowwise().squaredNorm().transpose();
  Eigen::MatrixXd d = -2.0 * a * b.transpose();
  d.colwise() += an;
  d.rowwise() += bn;
  return d.cwiseMax(0.0);
}

// |t_i - t'_j| between two time columns.
Eigen::MatrixXd time_distances(const Eigen::VectorXd& t, const Eigen::VectorXd& u) {
  return (t.replicate(1, u.size()) - u.transpose().replicate(t.size(), 1)).cwiseAbs();
}

// The kernel matrix (without noise) from precomputed distances.
Eigen::MatrixXd kernel_matrix(const TvKernel& k, const Eigen::MatrixXd& sq_dist,
                              const Eigen::MatrixXd& time_dist) {
  const double log_decay = 0.5 * std::log1p(-std::min(k.epsilon, 0.5));
  return k.variance *
         (-sq_dist.array() / k.lengthscale + log_decay * time_dist.array()).exp().matrix();
}

// The log marginal likelihood as a function of (log lengthscale, epsilon, log noise ratio), the
// signal variance profiled out: with C = K/variance + ratio * I, q = y' C^-1 y and n rows,
// log p = -q / (2 s) - n log(s) / 2 - log|C| / 2 - n log(2 pi) / 2 is largest at s = q / n, and
// unimodal in log s, so the clamped s is the best inside the box.
class ProfiledLikelihood {
 public:
  ProfiledLikelihood(const Eigen::MatrixXd& inputs, const Eigen::VectorXd& targets,
                     const TvFitBounds& bounds)
      : sq_dist_(squared_distances(inputs.rightCols(inputs.cols() - 1),
                                   inputs.rightCols(inputs.cols() - 1))),
        time_dist_(time_distances(inputs.col(0), inputs.col(0))),
        targets_(targets),
        bounds_(bounds) {}

  double operator()(const Eigen::VectorXd& p, TvKernel* out = nullptr) const {
    const auto n = static_cast<double>(targets_.size());
    TvKernel k;
    k.variance = 1;
    k.lengthscale = std::exp(p(0));
    k.epsilon = p(1);
    const double ratio = std::exp(p(2));
    Eigen::MatrixXd c = kernel_matrix(k, sq_dist_, time_dist_);
    c.diagonal().array() += ratio;
    const Eigen::LLT<Eigen::MatrixXd> llt(c);
    if (llt.info() != Eigen::Success) return kNegInf;
    const double q = targets_.dot(llt.solve(targets_));
    const double log_det = 2.0 * llt.matrixLLT().diagonal().array().log().sum();
    const double s = std::clamp(q / n, bounds_.min_variance, bounds_.max_variance);
    const double lml = -0.5 * q / s - 0.5 * n * std::log(s) - 0.5 * log_det -
                       0.5 * n * std::log(2.0 * std::numbers::pi);
    if (out != nullptr) {
      *out = k;
      out->variance = s;
      out->noise = s * ratio;
    }
    return std::isfinite(lml) ? lml : kNegInf;
  }

 private:
  Eigen::MatrixXd sq_dist_;
  Eigen::MatrixXd time_dist_;
  Eigen::VectorXd targets_;
  TvFitBounds bounds_;
};

double scale(double v, double lo, double hi) {
  return (v - lo) / (hi - lo + kScaleGuard);
}

double unit(double v, const Pb2Bound& b) {
  return (v - b.low) / (b.high - b.low);
}

}  // namespace

// ---- data ----

std::vector<Pb2Row> pb2_rows(std::span<const Pb2Observation> observations, std::size_t max_rows) {
  std::vector<std::size_t> order(observations.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return observations[a].time < observations[b].time;
  });

  // Last point of each (trial, config) group, in time order: pandas' groupby(...).diff().
  std::map<std::pair<TrialId, std::vector<double>>, const Pb2Observation*> last;
  std::vector<Pb2Row> rows;
  for (const std::size_t i : order) {
    const Pb2Observation& o = observations[i];
    if (!std::isfinite(o.time) ||
        !std::all_of(o.x.begin(), o.x.end(), [](double v) { return std::isfinite(v); })) {
      continue;
    }
    auto [it, fresh] = last.try_emplace({o.trial, o.x}, &o);
    if (fresh) continue;
    const Pb2Observation& prev = *it->second;
    it->second = &o;
    const double dt = o.time - prev.time;
    if (!(dt > 0)) continue;
    const double change = (o.reward - prev.reward) / dt;
    if (!std::isfinite(change) || !std::isfinite(prev.reward)) continue;
    rows.push_back({o.trial, o.time, prev.reward, o.reward, o.x, change});
  }
  if (rows.size() > max_rows) {
    rows.erase(rows.begin(), rows.end() - static_cast<std::ptrdiff_t>(max_rows));
  }
  return rows;
}

// ---- GP ----

double tv_kernel(const TvKernel& kernel, const Eigen::Ref<const Eigen::RowVectorXd>& a,
                 const Eigen::Ref<const Eigen::RowVectorXd>& b) {
  const double dt = std::abs(a(0) - b(0));
  const double sq = (a.tail(a.size() - 1) - b.tail(b.size() - 1)).squaredNorm();
  return kernel.variance * std::exp(-sq / kernel.lengthscale) *
         std::pow(1.0 - std::min(kernel.epsilon, 0.5), 0.5 * dt);
}

TvGp::TvGp(Eigen::MatrixXd inputs, Eigen::VectorXd targets, const TvKernel& kernel)
    : inputs_(std::move(inputs)), targets_(std::move(targets)), kernel_(kernel) {
  const Eigen::MatrixXd z = inputs_.rightCols(inputs_.cols() - 1);
  Eigen::MatrixXd k = kernel_matrix(kernel_, squared_distances(z, z),
                                    time_distances(inputs_.col(0), inputs_.col(0)));
  k.diagonal().array() += kernel_.noise;
  llt_.compute(k);
  alpha_ = llt_.solve(targets_);
}

TvGp::Prediction TvGp::predict(const Eigen::Ref<const Eigen::RowVectorXd>& input) const {
  const Eigen::Index m = inputs_.cols() - 1;
  const Eigen::VectorXd sq =
      (inputs_.rightCols(m).rowwise() - input.tail(m)).rowwise().squaredNorm();
  const Eigen::VectorXd dt = (inputs_.col(0).array() - input(0)).abs().matrix();
  const double log_decay = 0.5 * std::log1p(-std::min(kernel_.epsilon, 0.5));
  const Eigen::VectorXd k =
      kernel_.variance * (-sq.array() / kernel_.lengthscale + log_decay * dt.array()).exp();
  const Eigen::VectorXd v = llt_.matrixL().solve(k);
  return {k.dot(alpha_), std::max(0.0, kernel_.variance - v.squaredNorm())};
}

double TvGp::log_marginal_likelihood() const {
  const auto n = static_cast<double>(targets_.size());
  const double log_det = 2.0 * llt_.matrixLLT().diagonal().array().log().sum();
  return -0.5 * targets_.dot(alpha_) - 0.5 * log_det - 0.5 * n * std::log(2.0 * std::numbers::pi);
}

TvGp TvGp::with_pending(const Eigen::MatrixXd& pending_inputs) const {
  Eigen::MatrixXd inputs(inputs_.rows() + pending_inputs.rows(), inputs_.cols());
  inputs << inputs_, pending_inputs;
  Eigen::VectorXd targets(targets_.size() + pending_inputs.rows());
  targets.head(targets_.size()) = targets_;
  for (Eigen::Index i = 0; i < pending_inputs.rows(); ++i) {
    targets(targets_.size() + i) = predict(pending_inputs.row(i)).mean;
  }
  return TvGp(std::move(inputs), std::move(targets), kernel_);
}

TvFit fit_tv_kernel(const Eigen::MatrixXd& inputs, const Eigen::VectorXd& targets,
                    const TvFitBounds& bounds, const TvKernel* warm_start, int warm_evaluations) {
  const ProfiledLikelihood lml(inputs, targets, bounds);
  const double ln10 = std::log(10.0);
  Eigen::VectorXd lo(3), hi(3);
  lo << std::log(bounds.min_lengthscale), 0.0, std::log(bounds.min_noise_ratio);
  hi << std::log(bounds.max_lengthscale), bounds.max_epsilon, std::log(bounds.max_noise_ratio);
  const Eigen::VectorXd min_step = Eigen::Vector3d(1e-3, 1e-3, 1e-3);
  auto f = [&](const Eigen::VectorXd& p) { return lml(p); };

  TvFit fit;
  Eigen::VectorXd best;
  double best_value = kNegInf;
  if (warm_start != nullptr) {
    best = Eigen::Vector3d(std::log(warm_start->lengthscale), warm_start->epsilon,
                           std::log(warm_start->noise / warm_start->variance));
    best = best.cwiseMax(lo).cwiseMin(hi);
    best_value = f(best);
    fit.evaluations = 1;
    compass_maximize(f, best, best_value, lo, hi, Eigen::Vector3d(0.1 * ln10, 0.02, 0.2 * ln10),
                     min_step, std::max(warm_evaluations, 1), fit.evaluations);
  } else {
    // The grid holds Ray's start (lengthscale 1, epsilon 0.1, noise = variance).
    struct Start {
      double value;
      Eigen::Vector3d p;
    };
    std::vector<Start> starts;
    for (const double log10_l : {-2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0}) {
      for (const double eps : {0.0, 0.1, 0.3, 0.5}) {
        for (const double log10_r : {-4.0, -2.5, -1.0, 0.0, 1.0}) {
          Eigen::VectorXd p = Eigen::Vector3d(log10_l * ln10, eps, log10_r * ln10);
          p = p.cwiseMax(lo).cwiseMin(hi);
          starts.push_back({f(p), p});
          ++fit.evaluations;
        }
      }
    }
    std::stable_sort(starts.begin(), starts.end(),
                     [](const Start& a, const Start& b) { return a.value > b.value; });
    for (std::size_t s = 0; s < std::min<std::size_t>(2, starts.size()); ++s) {
      Eigen::VectorXd p = starts[s].p;
      double value = starts[s].value;
      int evals = 0;
      compass_maximize(f, p, value, lo, hi, Eigen::Vector3d(0.25 * ln10, 0.05, 0.5 * ln10),
                       min_step, 60, evals);
      fit.evaluations += evals;
      if (value > best_value) {
        best_value = value;
        best = p;
      }
    }
  }
  lml(best, &fit.kernel);
  fit.log_marginal_likelihood = best_value;
  return fit;
}

// ---- explore step ----

Pb2Dataset pb2_dataset(std::span<const Pb2Row> rows, std::span<const Pb2Bound> bounds,
                       const Pb2Row& source_row) {
  const auto n = static_cast<Eigen::Index>(rows.size());
  const auto d = static_cast<Eigen::Index>(bounds.size());
  double t_lo = std::numeric_limits<double>::infinity(), t_hi = -t_lo;
  double r_lo = t_lo, r_hi = -t_lo;
  for (const Pb2Row& r : rows) {
    t_lo = std::min(t_lo, r.time);
    t_hi = std::max(t_hi, r.time);
    r_lo = std::min(r_lo, r.reward_before);
    r_hi = std::max(r_hi, r.reward_before);
  }
  Pb2Dataset ds;
  ds.inputs.resize(n, 2 + d);
  Eigen::VectorXd y(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const Pb2Row& r = rows[static_cast<std::size_t>(i)];
    ds.inputs(i, 0) = scale(r.time, t_lo, t_hi);
    ds.inputs(i, 1) = scale(r.reward_before, r_lo, r_hi);
    for (Eigen::Index j = 0; j < d; ++j) {
      ds.inputs(i, 2 + j) =
          unit(r.x[static_cast<std::size_t>(j)], bounds[static_cast<std::size_t>(j)]);
    }
    y(i) = r.change;
  }
  if (n > 0) {
    const double mean = y.mean();
    const double sd = std::sqrt((y.array() - mean).square().mean());
    ds.targets = ((y.array() - mean) / (sd + kScaleGuard)).cwiseMax(-2.0).cwiseMin(2.0).matrix();
  }
  ds.fixed.resize(2);
  ds.fixed << scale(source_row.time, t_lo, t_hi), scale(source_row.reward_before, r_lo, r_hi);
  return ds;
}

std::size_t pb2_window(std::span<const Pb2Row> rows, std::span<const Pb2Bound> bounds,
                       const Pb2BanditOptions& options) {
  if (rows.size() < options.min_window || options.window_step == 0) return rows.size();
  std::size_t best_length = options.min_window;
  double best_value = kNegInf;
  std::optional<TvKernel> warm;
  for (std::size_t length = options.min_window; length <= rows.size();
       length += options.window_step) {
    const auto window = rows.last(length);
    const Pb2Dataset ds = pb2_dataset(window, bounds, window.back());
    const TvFit fit = fit_tv_kernel(ds.inputs, ds.targets, {}, warm ? &*warm : nullptr,
                                    1 + options.window_refit_evaluations);
    warm = fit.kernel;
    if (fit.log_marginal_likelihood > best_value) {
      best_value = fit.log_marginal_likelihood;
      best_length = length;
    }
  }
  return best_length;
}

Pb2Choice pb2_choose(const Pb2Dataset& dataset, std::span<const Pb2Bound> bounds,
                     std::span<const std::vector<double>> pending_unit,
                     const Pb2BanditOptions& options, Rng& rng) {
  const auto d = static_cast<Eigen::Index>(bounds.size());
  const auto n = static_cast<std::size_t>(dataset.targets.size());
  TvKernel kernel = fit_tv_kernel(dataset.inputs, dataset.targets).kernel;
  kernel.lengthscale = std::clamp(kernel.lengthscale, 1e-5, options.max_lengthscale);
  const TvGp data_gp(dataset.inputs, dataset.targets, kernel);

  auto query = [&](const Eigen::VectorXd& u) {
    Eigen::RowVectorXd q(2 + d);
    q << dataset.fixed, u.transpose();
    return q;
  };
  std::optional<TvGp> pending_gp;
  if (!pending_unit.empty()) {
    Eigen::MatrixXd p(static_cast<Eigen::Index>(pending_unit.size()), 2 + d);
    for (std::size_t i = 0; i < pending_unit.size(); ++i) {
      p.row(static_cast<Eigen::Index>(i)) =
          query(Eigen::Map<const Eigen::VectorXd>(pending_unit[i].data(), d));
    }
    pending_gp.emplace(data_gp.with_pending(p));
  }
  const TvGp& gp = pending_gp ? *pending_gp : data_gp;

  const double beta =
      options.beta_c1 +
      std::max(0.0, std::log(options.beta_c2 * static_cast<double>(std::max<std::size_t>(n, 1))));
  const double kappa = std::sqrt(beta);
  auto ucb = [&](const Eigen::VectorXd& u) {
    const TvGp::Prediction p = gp.predict(query(u));
    return p.mean + kappa * std::sqrt(p.variance);
  };

  // Seeded uniform candidates; the best refine_starts of them refined by compass search.
  struct Candidate {
    double value;
    Eigen::VectorXd u;
  };
  std::vector<Candidate> candidates;
  const int count = std::max(options.candidates, 1);
  candidates.reserve(static_cast<std::size_t>(count));
  for (int c = 0; c < count; ++c) {
    Eigen::VectorXd u(d);
    for (Eigen::Index j = 0; j < d; ++j) u(j) = rng.uniform01();
    const double v = ucb(u);
    candidates.push_back({v, std::move(u)});
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) { return a.value > b.value; });
  const Eigen::VectorXd lo = Eigen::VectorXd::Zero(d), hi = Eigen::VectorXd::Ones(d);
  Candidate best = candidates.front();
  const auto starts = std::min<std::size_t>(
      static_cast<std::size_t>(std::max(options.refine_starts, 1)), candidates.size());
  for (std::size_t s = 0; s < starts; ++s) {
    Candidate c = candidates[s];
    int evals = 0;
    compass_maximize(ucb, c.u, c.value, lo, hi, Eigen::VectorXd::Constant(d, 0.05),
                     Eigen::VectorXd::Constant(d, 1e-4), options.refine_evaluations, evals);
    if (c.value > best.value) best = std::move(c);
  }

  Pb2Choice choice;
  const TvGp::Prediction at = gp.predict(query(best.u));
  choice.acquisition = best.value;
  choice.mean = at.mean;
  choice.variance = at.variance;
  choice.beta = beta;
  choice.rows = n;
  choice.kernel = kernel;
  for (Eigen::Index j = 0; j < d; ++j) {
    const Pb2Bound& b = bounds[static_cast<std::size_t>(j)];
    const double u = std::clamp(best.u(j), 0.0, 1.0);
    choice.unit_x.push_back(u);
    choice.x.push_back(std::clamp(b.low + u * (b.high - b.low), b.low, b.high));
  }
  return choice;
}

std::optional<Pb2Choice> pb2_select(std::span<const Pb2Observation> observations,
                                    std::span<const Pb2Bound> bounds, TrialId source,
                                    std::span<const std::vector<double>> pending,
                                    const Pb2BanditOptions& options, Rng& rng) {
  const std::vector<Pb2Row> rows = pb2_rows(observations, options.max_rows);
  const auto source_row =
      std::find_if(rows.rbegin(), rows.rend(), [&](const Pb2Row& r) { return r.trial == source; });
  if (source_row == rows.rend()) return std::nullopt;
  const std::size_t length = pb2_window(rows, bounds, options);
  const std::span<const Pb2Row> window = std::span<const Pb2Row>(rows).last(length);
  const Pb2Dataset ds = pb2_dataset(window, bounds, *source_row);
  std::vector<std::vector<double>> pending_unit;
  pending_unit.reserve(pending.size());
  for (const std::vector<double>& p : pending) {
    std::vector<double> u(bounds.size());
    for (std::size_t j = 0; j < bounds.size(); ++j) u[j] = unit(p[j], bounds[j]);
    pending_unit.push_back(std::move(u));
  }
  return pb2_choose(ds, bounds, pending_unit, options, rng);
}

}  // namespace tuneq::detail
