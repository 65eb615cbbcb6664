// Loads scikit-learn's digits data set (1797 8x8 images, 10 classes) from the copy Debian's
// python3-sklearn package ships, and splits it into train and validation sets.
#pragma once

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "tuneq/rng.hpp"

namespace digits {

inline constexpr int kFeatures = 64;
inline constexpr int kClasses = 10;
inline constexpr const char* kDefaultPath =
    "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz";

struct Split {
  std::vector<float> x;  // row-major, kFeatures per row, scaled to [0, 1]
  std::vector<int> y;
  std::size_t rows() const { return y.size(); }
};

struct Data {
  Split train, val;
};

// Reads the gzip'd CSV (64 pixel values 0..16, then the label) and puts every 5th row of a
// seeded shuffle into validation. Throws std::runtime_error naming the file on failure.
inline Data load(const std::string& path = kDefaultPath, std::uint64_t seed = 0) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) {
    throw std::runtime_error(path + ": cannot open (install python3-sklearn, which ships it)");
  }
  std::vector<std::vector<float>> rows;
  std::vector<int> labels;
  char line[1024];
  while (gzgets(f, line, sizeof line) != nullptr) {
    std::vector<float> row;
    const char* p = line;
    for (int i = 0; i <= kFeatures; ++i) {
      char* end = nullptr;
      const long v = std::strtol(p, &end, 10);
      if (end == p) break;
      if (i < kFeatures)
        row.push_back(static_cast<float>(v) / 16.0f);
      else
        labels.push_back(static_cast<int>(v));
      p = (*end == ',') ? end + 1 : end;
    }
    if (row.size() == kFeatures && labels.size() == rows.size() + 1) rows.push_back(row);
  }
  gzclose(f);
  if (rows.size() < 100 || labels.size() != rows.size()) {
    throw std::runtime_error(path + ": not the digits CSV (" + std::to_string(rows.size()) +
                             " rows read)");
  }
  std::vector<std::size_t> order(rows.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  tuneq::Rng rng(seed);
  for (std::size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[rng.below(i + 1)]);
  Data d;
  for (std::size_t k = 0; k < order.size(); ++k) {
    Split& s = (k % 5 == 0) ? d.val : d.train;
    s.x.insert(s.x.end(), rows[order[k]].begin(), rows[order[k]].end());
    s.y.push_back(labels[order[k]]);
  }
  return d;
}

}  // namespace digits
