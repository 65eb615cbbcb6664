// The loop's bookkeeping of the pool's cpu slots and GPU indices: which are free, which a
// running trial holds. Never hands out more than the pool has.
// Thread safety: none; owned by the tuner loop.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "tuneq/executor.hpp"
#include "tuneq/tuner.hpp"

namespace tuneq::detail {

class ResourceAllocator {
 public:
  // REQUIRES: pool.cpu >= 0 and pool.gpus without duplicates (checked by validate_pool).
  explicit ResourceAllocator(const ResourcePool& pool);

  // Throws Error::InvalidArgument naming the field when the pool is unusable: cpu < 1, a
  // negative or duplicate GPU index.
  static void validate_pool(const ResourcePool& pool);

  // True if `request` fits in what is free now.
  bool fits(const Resources& request) const;

  // Takes `request` from the free resources: `request.cpu` cpu slots and the `request.gpu`
  // lowest free GPU indices (in increasing order). nullopt (and nothing taken) if it does not
  // fit.
  std::optional<Allocation> acquire(const Resources& request);

  // Gives back what acquire() handed out. Throws Error::FailedPrecondition when the allocation
  // was not held (more cpu than in use, a GPU index that is free or not in the pool).
  void release(const Allocation& allocation);

  // How many trials with `request` fit in the whole (empty) pool.
  std::size_t capacity(const Resources& request) const;

  int free_cpu() const { return free_cpu_; }
  int used_cpu() const { return total_cpu_ - free_cpu_; }
  std::size_t free_gpus() const { return free_gpu_count_; }
  std::size_t total_gpus() const { return gpu_ids_.size(); }

 private:
  int total_cpu_;
  int free_cpu_;
  std::vector<int> gpu_ids_;    // the pool's GPU indices, sorted increasing
  std::vector<bool> gpu_free_;  // gpu_free_[i]: gpu_ids_[i] is free
  std::size_t free_gpu_count_;
};

}  // namespace tuneq::detail
