#include "tuneq/rng.hpp"

#include <cmath>
#include <numbers>

namespace tuneq {
namespace {

// SplitMix64: turns any 64-bit seed (even 0) into well-mixed words to seed xoshiro with.
std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

// Mixes several words into one seed; order matters, so (seed, id) != (id, seed).
std::uint64_t mix(std::uint64_t a, std::uint64_t b) {
  std::uint64_t x = a;
  std::uint64_t h = splitmix64(x);
  x = h ^ b;
  return splitmix64(x);
}

}  // namespace

Rng::Rng(std::uint64_t seed) {
  std::uint64_t x = seed;
  for (auto& s : s_) s = splitmix64(x);
}

Rng Rng::ForTrial(std::uint64_t seed, std::uint64_t trial_id) {
  return Rng(mix(seed, trial_id));
}

Rng Rng::ForStream(std::uint64_t seed, std::uint64_t stream, std::uint64_t index) {
  return Rng(mix(mix(seed, 0x5eed5eed00000000ULL | stream), index));
}

std::uint64_t Rng::next_u64() {  // xoshiro256**
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Rng::uniform01() {
  return static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
}

double Rng::uniform(double low, double high) {
  const double x = low + (high - low) * uniform01();
  return x < high ? x : std::nextafter(high, low);  // rounding must never reach high
}

std::uint64_t Rng::below(std::uint64_t n) {
  // Lemire-free rejection: reject the top partial block so every residue is equally likely.
  const std::uint64_t limit = UINT64_MAX - (UINT64_MAX % n);
  std::uint64_t x;
  do {
    x = next_u64();
  } while (x >= limit);
  return x % n;
}

double Rng::normal() {
  double u1 = uniform01();
  while (u1 <= 0.0) u1 = uniform01();
  const double u2 = uniform01();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

}  // namespace tuneq
