// A one-hidden-layer perceptron (ReLU, softmax output) trained with minibatch SGD with momentum
// and L2 weight decay. Small on purpose: the example is about tuning, but the training is real.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "common/digits.hpp"
#include "tuneq/rng.hpp"

namespace digits {

struct Hyper {
  double lr = 0.1;
  double momentum = 0.9;
  double l2 = 1e-4;
  int hidden = 32;
  int batch = 32;
};

struct Eval {
  double loss = 0;
  double accuracy = 0;
};

class Mlp {
 public:
  Mlp(int hidden, std::uint64_t seed) : h_(hidden) {
    tuneq::Rng rng(seed);
    w1_.resize(static_cast<std::size_t>(kFeatures * h_));
    w2_.resize(static_cast<std::size_t>(h_ * kClasses));
    b1_.assign(static_cast<std::size_t>(h_), 0.0);
    b2_.assign(kClasses, 0.0);
    for (auto& w : w1_) w = rng.normal() * std::sqrt(2.0 / kFeatures);
    for (auto& w : w2_) w = rng.normal() * std::sqrt(2.0 / h_);
    v1_.assign(w1_.size(), 0.0);
    v2_.assign(w2_.size(), 0.0);
    vb1_.assign(b1_.size(), 0.0);
    vb2_.assign(b2_.size(), 0.0);
  }

  // One pass over the training set in a shuffled order drawn from `rng`.
  void train_epoch(const Split& s, const Hyper& hp, tuneq::Rng& rng) {
    std::vector<std::size_t> order(s.rows());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    for (std::size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[rng.below(i + 1)]);
    std::vector<double> g1(w1_.size()), g2(w2_.size()), gb1(b1_.size()), gb2(b2_.size());
    std::vector<double> hid(static_cast<std::size_t>(h_)), out(kClasses), dh(hid.size());
    for (std::size_t start = 0; start < order.size(); start += static_cast<std::size_t>(hp.batch)) {
      const std::size_t end = std::min(order.size(), start + static_cast<std::size_t>(hp.batch));
      std::fill(g1.begin(), g1.end(), 0.0);
      std::fill(g2.begin(), g2.end(), 0.0);
      std::fill(gb1.begin(), gb1.end(), 0.0);
      std::fill(gb2.begin(), gb2.end(), 0.0);
      for (std::size_t k = start; k < end; ++k) {
        const float* x = &s.x[order[k] * kFeatures];
        forward(x, hid, out);
        out[static_cast<std::size_t>(s.y[order[k]])] -= 1.0;  // d(loss)/d(logits)
        std::fill(dh.begin(), dh.end(), 0.0);
        for (int j = 0; j < h_; ++j) {
          for (int c = 0; c < kClasses; ++c) {
            g2[idx2(j, c)] += hid[j] * out[c];
            dh[j] += w2_[idx2(j, c)] * out[c];
          }
          if (hid[j] <= 0) dh[j] = 0;  // ReLU
        }
        for (int c = 0; c < kClasses; ++c) gb2[c] += out[c];
        for (int i = 0; i < kFeatures; ++i) {
          if (x[i] == 0.0f) continue;
          for (int j = 0; j < h_; ++j) g1[idx1(i, j)] += x[i] * dh[j];
        }
        for (int j = 0; j < h_; ++j) gb1[j] += dh[j];
      }
      const double scale = 1.0 / static_cast<double>(end - start);
      step(w1_, v1_, g1, hp, scale, true);
      step(w2_, v2_, g2, hp, scale, true);
      step(b1_, vb1_, gb1, hp, scale, false);
      step(b2_, vb2_, gb2, hp, scale, false);
    }
  }

  Eval evaluate(const Split& s) const {
    std::vector<double> hid(static_cast<std::size_t>(h_)), out(kClasses);
    Eval e;
    for (std::size_t r = 0; r < s.rows(); ++r) {
      forward(&s.x[r * kFeatures], hid, out);
      const auto label = static_cast<std::size_t>(s.y[r]);
      e.loss -= std::log(std::max(out[label], 1e-12));
      e.accuracy += static_cast<double>(std::max_element(out.begin(), out.end()) - out.begin() ==
                                        static_cast<std::ptrdiff_t>(label));
    }
    e.loss /= static_cast<double>(s.rows());
    e.accuracy /= static_cast<double>(s.rows());
    return e;
  }

  // Weights and optimiser state as bytes: the trial's checkpoint.
  std::string save() const {
    std::string bytes;
    for (const auto* v : {&w1_, &w2_, &b1_, &b2_, &v1_, &v2_, &vb1_, &vb2_}) {
      bytes.append(reinterpret_cast<const char*>(v->data()), v->size() * sizeof(double));
    }
    return bytes;
  }
  bool load(const std::string& bytes) {
    std::size_t off = 0;
    for (auto* v : {&w1_, &w2_, &b1_, &b2_, &v1_, &v2_, &vb1_, &vb2_}) {
      const std::size_t n = v->size() * sizeof(double);
      if (off + n > bytes.size()) return false;
      std::memcpy(v->data(), bytes.data() + off, n);
      off += n;
    }
    return off == bytes.size();
  }

 private:
  std::size_t idx1(int i, int j) const { return static_cast<std::size_t>(i * h_ + j); }
  std::size_t idx2(int j, int c) const { return static_cast<std::size_t>(j * kClasses + c); }

  void forward(const float* x, std::vector<double>& hid, std::vector<double>& out) const {
    for (int j = 0; j < h_; ++j) hid[j] = b1_[j];
    for (int i = 0; i < kFeatures; ++i) {
      if (x[i] == 0.0f) continue;
      for (int j = 0; j < h_; ++j) hid[j] += x[i] * w1_[idx1(i, j)];
    }
    for (auto& v : hid) v = std::max(v, 0.0);
    double mx = -1e300;
    for (int c = 0; c < kClasses; ++c) {
      out[c] = b2_[c];
      for (int j = 0; j < h_; ++j) out[c] += hid[j] * w2_[idx2(j, c)];
      mx = std::max(mx, out[c]);
    }
    double sum = 0;
    for (auto& v : out) sum += (v = std::exp(v - mx));
    for (auto& v : out) v /= sum;
  }

  static void step(std::vector<double>& w, std::vector<double>& v, const std::vector<double>& g,
                   const Hyper& hp, double scale, bool decay) {
    for (std::size_t i = 0; i < w.size(); ++i) {
      const double grad = g[i] * scale + (decay ? hp.l2 * w[i] : 0.0);
      v[i] = hp.momentum * v[i] - hp.lr * grad;
      w[i] += v[i];
    }
  }

  int h_;
  std::vector<double> w1_, w2_, b1_, b2_, v1_, v2_, vb1_, vb2_;
};

}  // namespace digits
