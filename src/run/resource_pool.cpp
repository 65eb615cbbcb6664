#include "run/resource_pool.hpp"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "tuneq/error.hpp"

namespace tuneq::detail {

ResourceAllocator::ResourceAllocator(const ResourcePool& pool)
    : total_cpu_(pool.cpu), free_cpu_(pool.cpu), gpu_ids_(pool.gpus) {
  std::sort(gpu_ids_.begin(), gpu_ids_.end());
  gpu_free_.assign(gpu_ids_.size(), true);
  free_gpu_count_ = gpu_ids_.size();
}

void ResourceAllocator::validate_pool(const ResourcePool& pool) {
  if (pool.cpu < 1) {
    throw Error::InvalidArgument(fmt::format("pool.cpu must be >= 1, got {}", pool.cpu));
  }
  std::vector<int> sorted = pool.gpus;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    if (sorted[i] < 0) {
      throw Error::InvalidArgument(
          fmt::format("pool.gpus: GPU index must be >= 0, got {}", sorted[i]));
    }
    if (i > 0 && sorted[i] == sorted[i - 1]) {
      throw Error::InvalidArgument(
          fmt::format("pool.gpus: GPU index {} is listed twice", sorted[i]));
    }
  }
}

bool ResourceAllocator::fits(const Resources& request) const {
  return request.cpu <= free_cpu_ && request.gpu >= 0 &&
         static_cast<std::size_t>(request.gpu) <= free_gpu_count_;
}

std::optional<Allocation> ResourceAllocator::acquire(const Resources& request) {
  if (!fits(request)) return std::nullopt;
  Allocation allocation;
  allocation.cpu = request.cpu;
  free_cpu_ -= request.cpu;
  if (request.gpu > 0) {
    allocation.gpus.reserve(static_cast<std::size_t>(request.gpu));
    for (std::size_t i = 0;
         i < gpu_ids_.size() && allocation.gpus.size() < static_cast<std::size_t>(request.gpu);
         ++i) {
      if (gpu_free_[i]) {
        gpu_free_[i] = false;
        allocation.gpus.push_back(gpu_ids_[i]);
      }
    }
    free_gpu_count_ -= allocation.gpus.size();
  }
  return allocation;
}

void ResourceAllocator::release(const Allocation& allocation) {
  if (allocation.cpu < 0 || allocation.cpu > used_cpu()) {
    throw Error::FailedPrecondition(fmt::format(
        "resource pool: releasing {} cpu but only {} in use", allocation.cpu, used_cpu()));
  }
  // Check every GPU before changing anything, so a bad release leaves the pool intact.
  std::vector<std::size_t> positions;
  positions.reserve(allocation.gpus.size());
  for (int gpu : allocation.gpus) {
    auto it = std::lower_bound(gpu_ids_.begin(), gpu_ids_.end(), gpu);
    if (it == gpu_ids_.end() || *it != gpu) {
      throw Error::FailedPrecondition(
          fmt::format("resource pool: releasing GPU {} which is not in the pool", gpu));
    }
    auto pos = static_cast<std::size_t>(it - gpu_ids_.begin());
    if (gpu_free_[pos] || std::find(positions.begin(), positions.end(), pos) != positions.end()) {
      throw Error::FailedPrecondition(
          fmt::format("resource pool: releasing GPU {} which is not in use", gpu));
    }
    positions.push_back(pos);
  }
  for (std::size_t pos : positions) gpu_free_[pos] = true;
  free_gpu_count_ += positions.size();
  free_cpu_ += allocation.cpu;
}

std::size_t ResourceAllocator::capacity(const Resources& request) const {
  std::size_t by_cpu = request.cpu > 0 ? static_cast<std::size_t>(total_cpu_ / request.cpu)
                                       : std::numeric_limits<std::size_t>::max();
  std::size_t by_gpu = request.gpu > 0 ? gpu_ids_.size() / static_cast<std::size_t>(request.gpu)
                                       : std::numeric_limits<std::size_t>::max();
  return std::min(by_cpu, by_gpu);
}

}  // namespace tuneq::detail
