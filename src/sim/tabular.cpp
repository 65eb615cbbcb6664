// Tabular benchmarks: the CSV parser and the nearest-listed-config lookup (tabular.hpp).
#include "sim/tabular.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <numeric>
#include <sstream>
#include <unordered_map>

#include <fmt/format.h>

#include "tuneq/error.hpp"

namespace tuneq::sim {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::vector<std::string_view> split(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    out.push_back(
        trim(line.substr(start, comma == std::string_view::npos ? line.npos : comma - start)));
    if (comma == std::string_view::npos) return out;
    start = comma + 1;
  }
}

// The whole cell as a number ("nan" and "inf" included); nullopt otherwise.
std::optional<double> number(std::string_view cell) {
  double v = 0;
  const char* end = cell.data() + cell.size();
  auto [ptr, ec] = std::from_chars(cell.data(), end, v);
  if (cell.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return v;
}

struct Row {
  int line;
  double resource, elapsed;
  std::vector<double> metrics;
};

class Tabular final : public Benchmark {
 public:
  Tabular(TabularData data, const TabularOptions& o) : data_(std::move(data)), mode_(o.mode) {
    metric_ = pick_metric(o.metric);
    const std::size_t n = data_.params.size();
    offset_.assign(n, 0);
    scale_.assign(n, 0);
    log_.assign(n, false);
    for (std::size_t i = 0; i < n; ++i) {
      Parameter p;
      p.name = data_.params[i];
      p.categorical = !data_.numeric[i];
      if (p.categorical) {
        for (const auto& c : data_.configs) {
          if (std::find(p.values.begin(), p.values.end(), c.cells[i]) == p.values.end()) {
            p.values.push_back(c.cells[i]);
          }
        }
      } else {
        p.low = INFINITY;
        p.high = -INFINITY;
        for (const auto& c : data_.configs) {
          p.low = std::min(p.low, c.numbers[i]);
          p.high = std::max(p.high, c.numbers[i]);
        }
        const bool wants_log =
            std::find(o.log_params.begin(), o.log_params.end(), p.name) != o.log_params.end();
        log_[i] = wants_log && p.low > 0;
        const double lo = transform(i, p.low), hi = transform(i, p.high);
        offset_[i] = lo;
        scale_[i] = hi > lo ? 1 / (hi - lo) : 0;
      }
      params_.push_back(std::move(p));
    }
    // Normalised coordinates of every listed config, row-major.
    coords_.resize(data_.configs.size() * n);
    for (std::size_t c = 0; c < data_.configs.size(); ++c) {
      for (std::size_t i = 0; i < n; ++i) {
        if (data_.numeric[i]) coords_[c * n + i] = normalise(i, data_.configs[c].numbers[i]);
      }
    }
    optimum_ = mode_ == Mode::kMin ? INFINITY : -INFINITY;
    for (const auto& c : data_.configs) {
      const double v = c.metrics[metric_].back();
      if (std::isnan(v)) continue;
      optimum_ = mode_ == Mode::kMin ? std::min(optimum_, v) : std::max(optimum_, v);
    }
    if (!std::isfinite(optimum_)) optimum_ = std::numeric_limits<double>::quiet_NaN();
  }

  const std::string& name() const override { return data_.name; }
  const std::vector<Parameter>& parameters() const override { return params_; }
  std::optional<Mode> mode() const override { return std::nullopt; }
  bool bounded() const override { return false; }
  std::unique_ptr<TrialCurve> curve(const Config& config) const override {
    return std::make_unique<Listed>(data_.configs[nearest(config)], metric_);
  }
  double optimum() const override { return optimum_; }

 private:
  std::size_t pick_metric(const std::string& metric) const {
    for (std::size_t m = 0; m < data_.metrics.size(); ++m) {
      if (data_.metrics[m] == metric) return m;
    }
    if (data_.metrics.size() == 1) return 0;
    std::string names;
    for (const auto& m : data_.metrics) names += (names.empty() ? "metric:" : ", metric:") + m;
    throw Error::InvalidArgument(
        fmt::format("metric '{}' is not a metric column of benchmark '{}' ({}); the spec's metric "
                    "must name one of them",
                    metric, data_.name, names));
  }
  double transform(std::size_t i, double v) const { return log_[i] ? std::log(v) : v; }
  double normalise(std::size_t i, double v) const {
    const double t = log_[i] ? std::log(std::max(v, std::numeric_limits<double>::min())) : v;
    return (t - offset_[i]) * scale_[i];
  }
  // One listed config's rows.
  struct Listed final : TrialCurve {
    Listed(const TabularData::Curve& c, std::size_t m) : rows(c), metric(m) {}
    std::uint64_t steps() const override { return rows.resource.size(); }
    double resource(std::uint64_t step) const override { return rows.resource[index(step)]; }
    double value(std::uint64_t step) const override { return rows.metrics[metric][index(step)]; }
    double step_cost(std::uint64_t step) const override { return rows.elapsed[index(step)]; }
    double final_value() const override { return rows.metrics[metric].back(); }
    std::size_t index(std::uint64_t step) const {
      return std::min<std::size_t>(std::max<std::uint64_t>(step, 1), rows.resource.size()) - 1;
    }
    const TabularData::Curve& rows;
    std::size_t metric;
  };

  std::size_t nearest(const Config& config) const {
    const std::size_t n = data_.params.size();
    std::vector<double> query(n);
    std::vector<std::string> texts(n);
    for (std::size_t i = 0; i < n; ++i) {
      const auto it = config.find(data_.params[i]);
      if (it == config.end()) {
        throw Error::InvalidArgument(fmt::format("config has no parameter '{}'", data_.params[i]));
      }
      if (data_.numeric[i]) {
        if (!it->second.is_number()) {
          throw Error::InvalidArgument(
              fmt::format("parameter '{}' is '{}', but benchmark '{}' lists numbers for it",
                          data_.params[i], it->second.to_string(), data_.name));
        }
        query[i] = normalise(i, it->second.as_float());
      } else {
        texts[i] = it->second.to_string();
      }
    }
    std::size_t best = data_.configs.size();
    double best_distance = INFINITY;
    for (std::size_t c = 0; c < data_.configs.size(); ++c) {
      bool match = true;
      double dist = 0;
      for (std::size_t i = 0; i < n && match; ++i) {
        if (data_.numeric[i]) {
          const double d = coords_[c * n + i] - query[i];
          dist += d * d;
        } else {
          match = data_.configs[c].cells[i] == texts[i];
        }
      }
      if (match && dist < best_distance) {
        best = c;
        best_distance = dist;
      }
    }
    if (best == data_.configs.size()) {
      throw Error::InvalidArgument(fmt::format("benchmark '{}' lists no config with {}", data_.name,
                                               config_to_string(config)));
    }
    return best;
  }

  TabularData data_;
  Mode mode_;
  std::size_t metric_ = 0;
  std::vector<Parameter> params_;
  std::vector<double> offset_, scale_;
  std::vector<bool> log_;
  std::vector<double> coords_;
  double optimum_ = 0;
};

}  // namespace

TabularData parse_tabular(std::string_view text, const std::string& filename) {
  auto fail = [&](int line, const std::string& what) -> Error {
    return Error::InvalidArgument(fmt::format("{}:{}: {}", filename, line, what));
  };
  TabularData out;
  out.name = std::filesystem::path(filename).filename().string();
  enum class Role { kParam, kResource, kMetric, kElapsed };
  std::vector<Role> roles;
  std::vector<std::size_t> slot;  // per column: index among its role's columns
  bool have_header = false;
  std::size_t width = 0;
  std::unordered_map<std::string, std::size_t> by_cells;
  std::vector<std::vector<Row>> rows;
  std::vector<std::string> cells_of;  // per config: the key, for messages

  int line_no = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t nl = text.find('\n', pos);
    const std::string_view raw =
        text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++line_no;
    const std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#') continue;
    const auto cells = split(line);
    if (!have_header) {
      have_header = true;
      width = cells.size();
      std::vector<std::string> seen;
      std::size_t n_resource = 0, n_elapsed = 0;
      for (std::string_view c : cells) {
        std::string name(c);
        if (name.empty()) throw fail(line_no, "header: a column has an empty name");
        if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
          throw fail(line_no, fmt::format("header: column '{}' appears twice", name));
        }
        seen.push_back(name);
        if (name.rfind("resource:", 0) == 0) {
          roles.push_back(Role::kResource);
          slot.push_back(0);
          out.resource = name.substr(9);
          ++n_resource;
        } else if (name.rfind("metric:", 0) == 0) {
          roles.push_back(Role::kMetric);
          slot.push_back(out.metrics.size());
          out.metrics.push_back(name.substr(7));
        } else if (name == "elapsed") {
          roles.push_back(Role::kElapsed);
          slot.push_back(0);
          ++n_elapsed;
        } else {
          if (name.find(':') != std::string::npos) {
            throw fail(line_no,
                       fmt::format("header: column '{}': the only prefixes are 'resource:' and "
                                   "'metric:'",
                                   name));
          }
          roles.push_back(Role::kParam);
          slot.push_back(out.params.size());
          out.params.push_back(name);
        }
        if ((roles.back() == Role::kResource || roles.back() == Role::kMetric) &&
            name.back() == ':') {
          throw fail(line_no,
                     fmt::format("header: column '{}' needs a name after the prefix", name));
        }
      }
      if (n_resource != 1) {
        throw fail(line_no, fmt::format("header: expected exactly one 'resource:NAME' column, "
                                        "found {}",
                                        n_resource));
      }
      if (out.metrics.empty()) {
        throw fail(line_no, "header: expected at least one 'metric:NAME' column, found none");
      }
      if (n_elapsed != 1) {
        throw fail(line_no, fmt::format("header: expected exactly one 'elapsed' column, found {}",
                                        n_elapsed));
      }
      if (out.params.empty()) {
        throw fail(line_no,
                   "header: expected at least one parameter column (a name without a "
                   "prefix), found none");
      }
      continue;
    }
    if (cells.size() != width) {
      throw fail(line_no, fmt::format("expected {} cells (as many as the header), found {}", width,
                                      cells.size()));
    }
    Row row{line_no, 0, 0, std::vector<double>(out.metrics.size())};
    std::string key;
    std::vector<std::string> params(out.params.size());
    for (std::size_t col = 0; col < width; ++col) {
      const std::string_view cell = cells[col];
      switch (roles[col]) {
        case Role::kParam:
          if (cell.empty()) {
            throw fail(line_no, fmt::format("column '{}': empty cell", out.params[slot[col]]));
          }
          params[slot[col]] = std::string(cell);
          break;
        case Role::kResource: {
          const auto v = number(cell);
          if (!v || !std::isfinite(*v)) {
            throw fail(line_no, fmt::format("column 'resource:{}': '{}' is not a finite number",
                                            out.resource, cell));
          }
          row.resource = *v;
          break;
        }
        case Role::kMetric: {
          const auto v = number(cell);
          if (!v) {
            throw fail(line_no, fmt::format("column 'metric:{}': '{}' is not a number",
                                            out.metrics[slot[col]], cell));
          }
          row.metrics[slot[col]] = *v;
          break;
        }
        case Role::kElapsed: {
          const auto v = number(cell);
          if (!v || !std::isfinite(*v) || *v < 0) {
            throw fail(line_no, fmt::format("column 'elapsed': '{}' is not a number >= 0", cell));
          }
          row.elapsed = *v;
          break;
        }
      }
    }
    for (const auto& p : params) key += p + '\x1f';
    auto [it, inserted] = by_cells.emplace(key, out.configs.size());
    if (inserted) {
      TabularData::Curve curve;
      curve.cells = params;
      out.configs.push_back(std::move(curve));
      rows.emplace_back();
    }
    rows[it->second].push_back(std::move(row));
  }
  if (!have_header) {
    throw Error::InvalidArgument(fmt::format("{}: no header line (the file is empty)", filename));
  }
  if (out.configs.empty()) {
    throw Error::InvalidArgument(fmt::format("{}: no rows after the header", filename));
  }
  // Numeric parameters: every cell is a finite number.
  out.numeric.assign(out.params.size(), true);
  for (std::size_t i = 0; i < out.params.size(); ++i) {
    for (auto& c : out.configs) {
      const auto v = number(c.cells[i]);
      if (!v || !std::isfinite(*v)) {
        out.numeric[i] = false;
        break;
      }
    }
    for (auto& c : out.configs) {
      c.numbers.resize(out.params.size());
      c.numbers[i] = out.numeric[i] ? *number(c.cells[i]) : 0.0;
    }
  }
  for (std::size_t c = 0; c < out.configs.size(); ++c) {
    auto& r = rows[c];
    std::stable_sort(r.begin(), r.end(),
                     [](const Row& a, const Row& b) { return a.resource < b.resource; });
    for (std::size_t k = 1; k < r.size(); ++k) {
      if (r[k].resource == r[k - 1].resource) {
        const int later = std::max(r[k].line, r[k - 1].line);
        const int earlier = std::min(r[k].line, r[k - 1].line);
        throw fail(later, fmt::format("resource:{} {} repeats for the config on line {}",
                                      out.resource, r[k].resource, earlier));
      }
    }
    auto& curve = out.configs[c];
    curve.metrics.assign(out.metrics.size(), {});
    for (const Row& row : r) {
      curve.resource.push_back(row.resource);
      curve.elapsed.push_back(row.elapsed);
      for (std::size_t m = 0; m < out.metrics.size(); ++m)
        curve.metrics[m].push_back(row.metrics[m]);
    }
  }
  return out;
}

TabularData load_tabular(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) {
    throw Error::NotFound(fmt::format("{}: no such benchmark file", path.string()));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error::Io(fmt::format("{}: cannot be read", path.string()));
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_tabular(ss.str(), path.string());
}

std::unique_ptr<Benchmark> make_tabular(TabularData data, const TabularOptions& options) {
  return std::make_unique<Tabular>(std::move(data), options);
}

}  // namespace tuneq::sim
