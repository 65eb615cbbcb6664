// check_space: can the spec's space be simulated by this benchmark? (benchmark.hpp)
#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "sim/benchmark.hpp"
#include "tuneq/error.hpp"

namespace tuneq::sim {
namespace {

std::string describe(const Parameter& p) {
  if (p.categorical) {
    std::string values;
    for (const auto& v : p.values) values += (values.empty() ? "" : ", ") + v;
    return fmt::format("{} in {{{}}}", p.name, values);
  }
  return fmt::format("{} in [{}, {}]", p.name, p.low, p.high);
}

// The smallest and largest value a numeric domain can produce (choice/grid: of its values).
// nullopt for randn (unbounded).
std::optional<std::pair<double, double>> reach(const Domain& d, const std::string& where) {
  using K = Domain::Kind;
  switch (d.kind()) {
    case K::kUniform:
    case K::kLogUniform:
    case K::kQRandInt:
      return std::pair{d.low(), d.high()};
    case K::kQUniform:
    case K::kQLogUniform:
      return std::pair{std::round(d.low() / d.q()) * d.q(), std::round(d.high() / d.q()) * d.q()};
    case K::kRandInt:
    case K::kLogRandInt:
      return std::pair{d.low(), d.high() - 1};
    case K::kRandn:
      return std::nullopt;
    case K::kChoice:
    case K::kGrid: {
      double lo = INFINITY, hi = -INFINITY;
      for (const auto& v : d.values()) {
        if (!v.is_number()) {
          throw Error::InvalidArgument(
              fmt::format("{}: {} holds '{}', but the benchmark's parameter is numeric", where,
                          d.to_string(), v.to_string()));
        }
        lo = std::min(lo, v.as_float());
        hi = std::max(hi, v.as_float());
      }
      return std::pair{lo, hi};
    }
  }
  return std::nullopt;
}

}  // namespace

void check_space(const Benchmark& benchmark, const Space& space, const std::string& source) {
  const auto& params = benchmark.parameters();
  std::set<std::string> ours, theirs;
  for (const auto& p : space.params()) ours.insert(p.name);
  for (const auto& p : params) theirs.insert(p.name);
  if (ours != theirs) {
    std::string a, b;
    for (const auto& p : space.params()) a += (a.empty() ? "" : ", ") + p.name;
    for (const auto& p : params) b += (b.empty() ? "" : ", ") + describe(p);
    throw Error::InvalidArgument(
        fmt::format("{}: space: the spec's parameters ({}) do not match those of benchmark '{}' "
                    "({}); the space must name exactly the benchmark's parameters",
                    source, a, benchmark.name(), b));
  }
  for (const auto& p : params) {
    const Domain& d = space.find(p.name)->domain;
    const std::string where = fmt::format("{}: space.{}", source, p.name);
    if (p.categorical) {
      if (d.kind() != Domain::Kind::kChoice && d.kind() != Domain::Kind::kGrid) {
        throw Error::InvalidArgument(
            fmt::format("{}: {} draws numbers, but benchmark '{}' lists {}; use choice or grid "
                        "with the listed values",
                        where, d.to_string(), benchmark.name(), describe(p)));
      }
      for (const auto& v : d.values()) {
        if (std::find(p.values.begin(), p.values.end(), v.to_string()) == p.values.end()) {
          throw Error::InvalidArgument(
              fmt::format("{}: value '{}' is not listed by benchmark '{}' ({})", where,
                          v.to_string(), benchmark.name(), describe(p)));
        }
      }
      continue;
    }
    const auto range = reach(d, where);
    if (!benchmark.bounded()) continue;
    if (!range) {
      throw Error::InvalidArgument(
          fmt::format("{}: {} is unbounded, but benchmark '{}' is defined on {} only", where,
                      d.to_string(), benchmark.name(), describe(p)));
    }
    if (range->first < p.low || range->second > p.high) {
      throw Error::InvalidArgument(fmt::format("{}: {} reaches outside benchmark '{}''s range ({})",
                                               where, d.to_string(), benchmark.name(),
                                               describe(p)));
    }
  }
}

}  // namespace tuneq::sim
