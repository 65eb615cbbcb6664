// The synthetic benchmarks (docs/simulate.md has the formulas with their sources).
//
// Multi-fidelity functions, after Kandasamy et al., "Multi-fidelity Bayesian Optimisation with
// Continuous Approximations" (BOCA, ICML 2017), section 5, with one fidelity axis z in [0, 1]:
//   Branin     f_z(x) = a (x2 - b(z) x1^2 + c(z) x1 - r)^2 + s (1 - t(z)) cos(x1) + s,
//              b(z) = b - 0.01 (1 - z), c(z) = c - 0.1 (1 - z), t(z) = t + 0.05 (1 - z)
//   Hartmann   f_z(x) = -sum_i (alpha_i - 0.1 (1 - z)) exp(-sum_j A_ij (x_j - P_ij)^2)
//              (negated: every benchmark here is minimised)
//   cost of reaching fidelity z: lambda(z) = 0.05 + 0.95 z^3 (times kSecondsPerUnit)
// Step k of `steps` is fidelity z = k / steps; a trial continues from its checkpoint, so step k
// costs lambda(z_k) - lambda(z_{k-1}) (the first step pays lambda(z_1), startup included).
//
// curves: saturating learning curves whose speed grows with the distance from the optimum, so
// the configs that start fastest end worst (crossings), plus Gaussian noise seeded per run.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <numbers>

#include <fmt/format.h>

#include "sim/benchmark.hpp"
#include "tuneq/error.hpp"

namespace tuneq::sim {
namespace {

constexpr double kSecondsPerUnit = 100;  // a full-fidelity evaluation takes 100 simulated seconds

double param(const Config& config, const std::string& name, double low, double high) {
  const auto it = config.find(name);
  if (it == config.end()) {
    throw Error::InvalidArgument(fmt::format("config has no parameter '{}'", name));
  }
  const double v = it->second.as_float();
  return std::clamp(v, low, high);
}

double lambda(double z) {
  return 0.05 + 0.95 * z * z * z;
}

// Shared by the multi-fidelity functions: step -> fidelity, the cost model, the parameter list.
class MultiFidelity : public Benchmark {
 public:
  MultiFidelity(std::string name, std::vector<Parameter> params, std::uint64_t steps,
                double optimum)
      : name_(std::move(name)), params_(std::move(params)), steps_(steps), optimum_(optimum) {}

  const std::string& name() const override { return name_; }
  const std::vector<Parameter>& parameters() const override { return params_; }
  std::optional<Mode> mode() const override { return Mode::kMin; }
  bool bounded() const override { return true; }
  std::unique_ptr<TrialCurve> curve(const Config& config) const override {
    auto out = std::make_unique<Curve>(*this);
    for (std::size_t i = 0; i < params_.size(); ++i) {
      out->x[i] = param(config, params_[i].name, params_[i].low, params_[i].high);
    }
    return out;
  }
  double optimum() const override { return optimum_; }

  // The function at fidelity z in [0, 1]; x holds the parameters in order.
  virtual double at(const double* x, double z) const = 0;

 private:
  struct Curve final : TrialCurve {
    explicit Curve(const MultiFidelity& f) : fn(f) {}
    std::uint64_t steps() const override { return fn.steps_; }
    double resource(std::uint64_t step) const override { return static_cast<double>(step); }
    double value(std::uint64_t step) const override { return fn.at(x.data(), fidelity(step)); }
    double step_cost(std::uint64_t step) const override {
      const double before = step <= 1 ? 0.0 : lambda(fidelity(step - 1));
      return kSecondsPerUnit * (lambda(fidelity(step)) - before);
    }
    double final_value() const override { return fn.at(x.data(), 1.0); }
    double fidelity(std::uint64_t step) const {
      return std::min(1.0, static_cast<double>(step) / static_cast<double>(fn.steps_));
    }
    const MultiFidelity& fn;
    std::array<double, 6> x{};
  };

 private:
  std::string name_;
  std::vector<Parameter> params_;
  std::uint64_t steps_;
  double optimum_;
};

Parameter numeric(std::string name, double low, double high) {
  Parameter p;
  p.name = std::move(name);
  p.low = low;
  p.high = high;
  return p;
}

class Branin final : public MultiFidelity {
 public:
  explicit Branin(std::uint64_t steps)
      // Optimum 0.397887357729738 at (-pi, 12.275), (pi, 2.275), (9.42478, 2.475).
      : MultiFidelity("branin", {numeric("x1", -5, 10), numeric("x2", 0, 15)}, steps,
                      0.397887357729738) {}

  double at(const double* x, double z) const override {
    constexpr double pi = std::numbers::pi;
    const double x1 = x[0], x2 = x[1];
    const double b = 5.1 / (4 * pi * pi) - 0.01 * (1 - z);
    const double c = 5 / pi - 0.1 * (1 - z);
    const double t = 1 / (8 * pi) + 0.05 * (1 - z);
    const double q = x2 - b * x1 * x1 + c * x1 - 6;
    return q * q + 10 * (1 - t) * std::cos(x1) + 10;
  }
};

// The Hartmann constants (Dixon and Szego 1978, as tabulated by Surjanovic and Bingham).
constexpr std::array<double, 4> kAlpha = {1.0, 1.2, 3.0, 3.2};
constexpr double kA3[4][3] = {{3, 10, 30}, {0.1, 10, 35}, {3, 10, 30}, {0.1, 10, 35}};
constexpr double kP3[4][3] = {{0.3689, 0.1170, 0.2673},
                              {0.4699, 0.4387, 0.7470},
                              {0.1091, 0.8732, 0.5547},
                              {0.0381, 0.5743, 0.8828}};
constexpr double kA6[4][6] = {{10, 3, 17, 3.5, 1.7, 8},
                              {0.05, 10, 17, 0.1, 8, 14},
                              {3, 3.5, 1.7, 10, 17, 8},
                              {17, 8, 0.05, 10, 0.1, 14}};
constexpr double kP6[4][6] = {{0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886},
                              {0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991},
                              {0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650},
                              {0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381}};

template <std::size_t D>
class Hartmann final : public MultiFidelity {
 public:
  Hartmann(std::string name, const double (&a)[4][D], const double (&p)[4][D], double optimum,
           std::uint64_t steps)
      : MultiFidelity(std::move(name), unit_cube(), steps, optimum), a_(a), p_(p) {}

  double at(const double* xs, double z) const override {
    double sum = 0;
    for (std::size_t i = 0; i < 4; ++i) {
      double inner = 0;
      for (std::size_t j = 0; j < D; ++j) {
        const double d = xs[j] - p_[i][j];
        inner += a_[i][j] * d * d;
      }
      sum += (kAlpha[i] - 0.1 * (1 - z)) * std::exp(-inner);
    }
    return -sum;
  }

 private:
  static std::vector<Parameter> unit_cube() {
    std::vector<Parameter> out;
    for (std::size_t j = 1; j <= D; ++j) out.push_back(numeric(fmt::format("x{}", j), 0, 1));
    return out;
  }
  const double (&a_)[4][D];
  const double (&p_)[4][D];
};

// Deterministic noise: a hash of (seed, the config's coordinates, step) -> N(0, 1).
std::uint64_t mix(std::uint64_t h) {
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return h;
}
std::uint64_t bits(double v) {
  std::uint64_t b = 0;
  std::memcpy(&b, &v, sizeof b);
  return b;
}
double unit(std::uint64_t h) {
  return (static_cast<double>(h >> 11) + 0.5) * 0x1.0p-53;  // in (0, 1)
}

// curves: three parameters mapped to u in [0, 1]^3 (lr on a log scale), d = the RMS distance of u
// from u* = (0.625, 0.5, 0.4) (lr = 10^-1.5, width = 264, dropout = 0.2):
//   final value  g(u) = 0.1 + 1.2 d^2                    (best 0.1 at u*)
//   speed        k(u) = 0.5 + 15 d
//   curve        y(t) = g + (1 - g) (exp(-k p) - exp(-k)) / (1 - exp(-k)),  p = t / steps
//   observed     y(t) + N(0, 0.02^2), seeded by (seed, config, t)
//   step cost    1 + 2 (width - 16) / 496 seconds
class Curves final : public Benchmark {
 public:
  explicit Curves(const SyntheticOptions& o) : steps_(o.steps), seed_(o.seed) {
    params_ = {numeric("lr", 1e-4, 1), numeric("width", 16, 512), numeric("dropout", 0, 0.5)};
  }
  const std::string& name() const override { return name_; }
  const std::vector<Parameter>& parameters() const override { return params_; }
  std::optional<Mode> mode() const override { return Mode::kMin; }
  bool bounded() const override { return true; }
  std::unique_ptr<TrialCurve> curve(const Config& c) const override {
    const double lr = param(c, "lr", 1e-4, 1);
    const std::array<double, 3> u = {(std::log10(lr) + 4) / 4,
                                     (param(c, "width", 16, 512) - 16) / 496,
                                     param(c, "dropout", 0, 0.5) / 0.5};
    auto out = std::make_unique<Curve>();
    double s = 0;
    for (std::size_t i = 0; i < 3; ++i) s += (u[i] - kBest[i]) * (u[i] - kBest[i]);
    const double d = std::sqrt(s / 3);
    out->g = 0.1 + 1.2 * d * d;
    out->k = 0.5 + 15 * d;
    out->cost = 1 + 2 * u[1];
    out->n_steps = steps_;
    std::uint64_t h = mix(seed_ ^ 0x6a09e667f3bcc909ULL);
    for (double v : u) h = mix(h ^ bits(v));
    out->noise_key = h;
    return out;
  }
  double optimum() const override { return 0.1; }

 private:
  static constexpr double kNoise = 0.02;
  static constexpr std::array<double, 3> kBest = {0.625, 0.5, 0.4};

  struct Curve final : TrialCurve {
    std::uint64_t steps() const override { return n_steps; }
    double resource(std::uint64_t step) const override { return static_cast<double>(step); }
    double value(std::uint64_t step) const override {
      const double p = std::min(1.0, static_cast<double>(step) / static_cast<double>(n_steps));
      const double mean = g + (1 - g) * (std::exp(-k * p) - std::exp(-k)) / (1 - std::exp(-k));
      return mean + kNoise * gaussian(step);
    }
    double step_cost(std::uint64_t) const override { return cost; }
    double final_value() const override { return g; }
    double gaussian(std::uint64_t step) const {
      const std::uint64_t h = mix(noise_key ^ step);
      const double u1 = unit(h), u2 = unit(mix(h + 0x9e3779b97f4a7c15ULL));
      return std::sqrt(-2 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
    }
    double g = 0, k = 0, cost = 0;
    std::uint64_t n_steps = 0;
    std::uint64_t noise_key = 0;  // hash of (seed, coordinates); the step is mixed in per report
  };

  std::string name_ = "curves";
  std::vector<Parameter> params_;
  std::uint64_t steps_;
  std::uint64_t seed_;
};

}  // namespace

const std::vector<std::string>& synthetic_names() {
  static const std::vector<std::string> names = {"branin", "hartmann3", "hartmann6", "curves"};
  return names;
}

std::unique_ptr<Benchmark> make_synthetic(const std::string& name, const SyntheticOptions& o) {
  if (o.steps < 1) throw Error::InvalidArgument("benchmark steps must be >= 1");
  // Optima: Hartmann-3 -3.86278214782076 at (0.114614, 0.555649, 0.852547); Hartmann-6
  // -3.32236801141551 at (0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573).
  if (name == "branin") return std::make_unique<Branin>(o.steps);
  if (name == "hartmann3") {
    return std::make_unique<Hartmann<3>>("hartmann3", kA3, kP3, -3.86278214782076, o.steps);
  }
  if (name == "hartmann6") {
    return std::make_unique<Hartmann<6>>("hartmann6", kA6, kP6, -3.32236801141551, o.steps);
  }
  if (name == "curves") return std::make_unique<Curves>(o);
  std::string known;
  for (const auto& n : synthetic_names()) known += (known.empty() ? "" : ", ") + n;
  throw Error::NotFound(
      fmt::format("unknown benchmark '{}'; expected one of {} or a FILE.csv", name, known));
}

}  // namespace tuneq::sim
