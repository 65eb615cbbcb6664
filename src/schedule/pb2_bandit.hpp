// PB2's explore step (Parker-Holder et al., "Provably Efficient Online Hyperparameter
// Optimization with Population-Based Bandits", NeurIPS 2020), as Ray Tune implements it
// (ray/tune/schedulers/pb2.py, pb2_utils.py): a time-varying GP bandit over recent population
// data picks the clone's new continuous hyperparameters inside declared bounds.
//
// The data are the population's reports at its perturbation points. Each trial's consecutive
// points under one config give one row: (time at the end of the interval, reward at its start,
// hyperparameters, change of reward per unit of time). A GP with the time-varying kernel
//   k((t,z), (t',z')) = variance * exp(-|z - z'|^2 / lengthscale) * (1 - epsilon)^(|t - t'| / 2)
// (z: reward before and hyperparameters, all normalised to [0, 1]; t normalised too) is fitted to
// the standardised changes by maximising its log marginal likelihood, and the new setting is the
// maximiser of the UCB acquisition mean + sqrt(beta_t) * sd over [0, 1]^d with time and reward
// fixed at those of the trial being cloned. Configs already chosen in the current batch are
// pending points (GP-BUCB, Desautels et al. 2014): the GP is conditioned on them with its own
// predicted mean as the label, which leaves the mean unchanged and shrinks the variance there.
//
// Pure: no clock, no I/O, no threads; randomness only from the Rng passed in. The numbers and
// every place this differs from Ray are listed in docs/schedulers/pb2.md.
#pragma once

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "tuneq/result.hpp"
#include "tuneq/rng.hpp"

namespace tuneq::detail {

// ---- The population's data (Ray's PB2 data frame) ----

// Declared range of one hyperparameter. REQUIRES: low < high, both finite.
struct Pb2Bound {
  double low = 0;
  double high = 1;
};

// One recorded point: a trial's report at a perturbation point, or the synthetic point that
// starts a clone (the source's time and reward under the clone's new config).
struct Pb2Observation {
  TrialId trial = 0;
  double time = 0;        // value of the resource attribute
  std::vector<double> x;  // the bounded hyperparameters, raw, in the order of the bounds
  double reward = 0;      // the metric as a score: negated under Mode::kMin (larger is better)
};

// One training row: the change of reward over one interval of one trial under one config.
struct Pb2Row {
  TrialId trial = 0;
  double time = 0;           // at the end of the interval
  double reward_before = 0;  // at its start
  double reward = 0;         // at its end
  std::vector<double> x;
  double change = 0;  // (reward - reward_before) / (time at the end - time at the start)
};

// Ray's preprocessing: observations sorted by time (stable: ties keep their order), grouped by
// (trial, exact hyperparameters); each point with an earlier point in its group and a positive
// time change gives a row; rows with a non-finite change or reward are dropped; the last
// max_rows rows by time are kept (Ray: 1000).
std::vector<Pb2Row> pb2_rows(std::span<const Pb2Observation> observations, std::size_t max_rows);

// ---- The time-varying GP ----

struct TvKernel {
  double variance = 1;     // signal variance
  double lengthscale = 1;  // divides the squared distance (Ray's parametrisation, not 2 l^2)
  double epsilon = 0.1;    // forgetting rate, in [0, 0.5]
  double noise = 1;        // Gaussian observation noise variance
};

// One GP input is a row (time, features...). The kernel between two such rows.
double tv_kernel(const TvKernel& kernel, const Eigen::Ref<const Eigen::RowVectorXd>& a,
                 const Eigen::Ref<const Eigen::RowVectorXd>& b);

// GP regression with the time-varying kernel: zero prior mean, Gaussian noise.
class TvGp {
 public:
  // inputs: n x (1 + m), column 0 the time. targets: n. REQUIRES: n >= 1 and the kernel matrix
  // plus noise positive definite (noise > 0 ensures it).
  TvGp(Eigen::MatrixXd inputs, Eigen::VectorXd targets, const TvKernel& kernel);

  struct Prediction {
    double mean = 0;
    double variance = 0;  // of the latent function (no observation noise)
  };
  Prediction predict(const Eigen::Ref<const Eigen::RowVectorXd>& input) const;

  // log p(targets | inputs, kernel).
  double log_marginal_likelihood() const;

  // GP-BUCB: this GP conditioned on extra inputs whose labels are this GP's predicted means (the
  // same kernel). Means are unchanged; variances shrink near the pending inputs.
  TvGp with_pending(const Eigen::MatrixXd& pending_inputs) const;

  const Eigen::MatrixXd& inputs() const { return inputs_; }
  const Eigen::VectorXd& targets() const { return targets_; }
  const TvKernel& kernel() const { return kernel_; }

 private:
  Eigen::MatrixXd inputs_;
  Eigen::VectorXd targets_;
  TvKernel kernel_;
  Eigen::LLT<Eigen::MatrixXd> llt_;  // of K + noise * I
  Eigen::VectorXd alpha_;            // (K + noise * I)^-1 targets
};

// Box on the kernel hyperparameters during the fit.
struct TvFitBounds {
  double min_variance = 1e-3, max_variance = 1e3;
  double min_lengthscale = 1e-3, max_lengthscale = 1e2;
  double max_epsilon = 0.5;                              // Ray's kernel clamps epsilon at 0.5
  double min_noise_ratio = 1e-6, max_noise_ratio = 1e3;  // noise / variance
};

struct TvFit {
  TvKernel kernel;
  double log_marginal_likelihood = 0;
  int evaluations = 0;  // likelihood evaluations spent
};

// Maximum-likelihood kernel hyperparameters (type-II ML). Deterministic: the signal variance is
// profiled out in closed form (for fixed lengthscale, epsilon and noise ratio its optimum is
// y' C^-1 y / n, clamped to the box), a grid over (log lengthscale, epsilon, log noise ratio)
// that contains Ray's starting point (1, 0.1, noise 1) picks two starts, and a compass search
// refines each. With warm_start: the likelihood there, refined by compass search for at most
// warm_evaluations evaluations in all (1: the warm start's own likelihood, variance profiled).
TvFit fit_tv_kernel(const Eigen::MatrixXd& inputs, const Eigen::VectorXd& targets,
                    const TvFitBounds& bounds = {}, const TvKernel* warm_start = nullptr,
                    int warm_evaluations = 1);

// ---- The explore step ----

struct Pb2BanditOptions {
  std::size_t max_rows = 1000;       // Ray: only the last 1000 rows, so the GP stays fast
  std::size_t min_window = 200;      // Ray's select_length: with fewer rows, use them all ...
  std::size_t window_step = 10;      // ... else the most recent L = 200, 210, ... rows, best by the
                                     // log marginal likelihood. Ray refits the GP for every L; here
  int window_refit_evaluations = 0;  // the kernel fitted on the shortest window is carried to
                                     // the next L and refined by at most this many likelihood
                                     // evaluations (0: none; every refit costs one Cholesky of
                                     // an L x L matrix, and there are up to 81 windows)
  double beta_c1 = 0.2;              // beta_t = c1 + max(0, log(c2 * n)), n the rows used (Ray)
  double beta_c2 = 0.4;
  double max_lengthscale = 1;    // Ray clips the fitted lengthscale into [1e-5, 1]
  int candidates = 256;          // seeded uniform points in [0, 1]^d where UCB is evaluated
  int refine_starts = 10;        // the best of them refined by compass search (Ray: 10 starts)
  int refine_evaluations = 200;  // per refined start (Ray: L-BFGS-B with maxfun 200)
};

// The GP's training data, normalised: columns (time, reward before, hyperparameters...).
struct Pb2Dataset {
  Eigen::MatrixXd inputs;    // time and reward before scaled by the window's min and max (Ray:
                             // (v - min) / (max - min + 1e-8)); hyperparameters by their bounds
  Eigen::VectorXd targets;   // changes standardised ((y - mean) / (sd + 1e-8)), clipped to [-2, 2]
  Eigen::RowVectorXd fixed;  // (time, reward before) of the clone source's last row, scaled alike
};

// rows: the window, oldest first. source_row: the clone source's last row (need not be inside).
Pb2Dataset pb2_dataset(std::span<const Pb2Row> rows, std::span<const Pb2Bound> bounds,
                       const Pb2Row& source_row);

// How many of the most recent rows the GP uses (Ray's select_length, see Pb2BanditOptions).
std::size_t pb2_window(std::span<const Pb2Row> rows, std::span<const Pb2Bound> bounds,
                       const Pb2BanditOptions& options);

struct Pb2Choice {
  std::vector<double> x;       // the new hyperparameters, inside the bounds
  std::vector<double> unit_x;  // the same in [0, 1]^d
  double acquisition = 0;      // UCB at unit_x
  double mean = 0;             // GP mean at unit_x (standardised change of reward)
  double variance = 0;         // GP variance at unit_x, with the pending points
  double beta = 0;
  std::size_t rows = 0;  // data rows the GP was fitted on
  TvKernel kernel;       // after the lengthscale clip
};

// Fits the GP to dataset, conditions it on pending_unit (configs in [0, 1]^d, placed at the
// dataset's fixed time and reward), and maximises UCB over [0, 1]^d. REQUIRES: dataset has at
// least one row; bounds.size() == d.
Pb2Choice pb2_choose(const Pb2Dataset& dataset, std::span<const Pb2Bound> bounds,
                     std::span<const std::vector<double>> pending_unit,
                     const Pb2BanditOptions& options, Rng& rng);

// The whole explore step for one clone: rows from the observations, the window, the dataset for
// the source trial's last row, pending (raw configs already chosen in this batch), the choice.
// nullopt when the source trial has no row yet (Ray then keeps the source's config unchanged).
std::optional<Pb2Choice> pb2_select(std::span<const Pb2Observation> observations,
                                    std::span<const Pb2Bound> bounds, TrialId source,
                                    std::span<const std::vector<double>> pending,
                                    const Pb2BanditOptions& options, Rng& rng);

}  // namespace tuneq::detail
