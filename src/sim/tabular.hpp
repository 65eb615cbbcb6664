// Tabular benchmarks: recorded learning curves in the CSV format of docs/simulate.md, and the
// nearest-listed-config lookup that turns any sampled config into one of them.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/benchmark.hpp"

namespace tuneq::sim {

// A parsed CSV: every listed configuration with its curve, steps ordered by resource.
struct TabularData {
  std::string name;                  // the file name, e.g. "digits_mlp.csv"
  std::vector<std::string> params;   // parameter columns, in file order
  std::vector<bool> numeric;         // per parameter: every cell is a number
  std::string resource;              // NAME of the resource:NAME column
  std::vector<std::string> metrics;  // NAMEs of the metric:NAME columns, in file order
  struct Curve {
    std::vector<std::string> cells;  // per parameter, as written (trimmed)
    std::vector<double> numbers;     // per parameter: the number (numeric columns), else 0
    std::vector<double> resource;    // per step, increasing
    std::vector<double> elapsed;     // per step: seconds the step took
    std::vector<std::vector<double>> metrics;  // [metric][step]
  };
  std::vector<Curve> configs;  // in order of first appearance
};

// Parses CSV text; `filename` names the file in messages ("FILE:LINE: ..."). Throws
// Error::InvalidArgument for anything that is not the documented format.
TabularData parse_tabular(std::string_view text, const std::string& filename);
// Reads and parses a file: Error::NotFound when it does not exist, Error::Io when unreadable.
TabularData load_tabular(const std::filesystem::path& path);

struct TabularOptions {
  // The spec's metric: a metric column's NAME, or anything when the file has one metric column.
  std::string metric;
  Mode mode = Mode::kMin;  // the spec's mode: decides the optimum
  // Parameters compared in log space (the spec draws them on a log scale); used only when every
  // listed value is > 0.
  std::vector<std::string> log_params;
};

// Throws Error::InvalidArgument when the metric names none of several metric columns.
std::unique_ptr<Benchmark> make_tabular(TabularData data, const TabularOptions& options);

}  // namespace tuneq::sim
