#include "run/resource_pool.hpp"

#include <gtest/gtest.h>

#include "tuneq/error.hpp"

namespace tuneq::detail {
namespace {

TEST(ResourceAllocator, HandsOutLowestGpusFirstAndTakesThemBack) {
  ResourceAllocator pool(ResourcePool{4, {6, 2, 4}});
  EXPECT_EQ(pool.capacity(Resources{1, 1}), 3u);
  std::optional<Allocation> a = pool.acquire(Resources{1, 2});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->cpu, 1);
  EXPECT_EQ(a->gpus, (std::vector<int>{2, 4}));
  std::optional<Allocation> b = pool.acquire(Resources{2, 1});
  ASSERT_TRUE(b);
  EXPECT_EQ(b->gpus, (std::vector<int>{6}));
  EXPECT_EQ(pool.free_cpu(), 1);
  EXPECT_EQ(pool.free_gpus(), 0u);

  pool.release(*a);  // 2 and 4 free again; 2 comes first
  std::optional<Allocation> c = pool.acquire(Resources{1, 1});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->gpus, (std::vector<int>{2}));
}

TEST(ResourceAllocator, RefusesWhatDoesNotFitAndTakesNothing) {
  struct Case {
    Resources request;
    bool fits;
  };
  // Pool: 3 cpu, GPUs 0 and 1; one trial of {2 cpu, 1 gpu} already holds cpu and GPU 0.
  const Case cases[] = {
      {{1, 0}, true}, {{1, 1}, true}, {{2, 0}, false}, {{1, 2}, false}, {{0, 1}, true},
  };
  for (const Case& c : cases) {
    ResourceAllocator pool(ResourcePool{3, {0, 1}});
    ASSERT_TRUE(pool.acquire(Resources{2, 1}));
    SCOPED_TRACE(testing::Message() << c.request.cpu << " cpu " << c.request.gpu << " gpu");
    EXPECT_EQ(pool.fits(c.request), c.fits);
    std::optional<Allocation> got = pool.acquire(c.request);
    EXPECT_EQ(got.has_value(), c.fits);
    if (!c.fits) {
      EXPECT_EQ(pool.free_cpu(), 1);
      EXPECT_EQ(pool.free_gpus(), 1u);
    }
  }
}

TEST(ResourceAllocator, NeverOverAllocatesUnderChurn) {
  // Acquire until full, release every other allocation, refill: the counts always add up and
  // no GPU is held twice.
  ResourceAllocator pool(ResourcePool{8, {0, 1, 2, 3}});
  const Resources request{2, 1};
  std::vector<Allocation> held;
  for (int round = 0; round < 5; ++round) {
    while (auto a = pool.acquire(request)) held.push_back(*a);
    EXPECT_EQ(held.size(), 4u);
    std::vector<int> gpus;
    for (const Allocation& a : held) gpus.insert(gpus.end(), a.gpus.begin(), a.gpus.end());
    std::sort(gpus.begin(), gpus.end());
    EXPECT_EQ(gpus, (std::vector<int>{0, 1, 2, 3}));
    for (std::size_t i = static_cast<std::size_t>(round % 2); i < held.size(); i += 2) {
      pool.release(held[i]);
      held[i].cpu = -1;  // mark released
    }
    std::erase_if(held, [](const Allocation& a) { return a.cpu < 0; });
    EXPECT_EQ(pool.used_cpu(), static_cast<int>(held.size()) * 2);
  }
}

TEST(ResourceAllocator, ReleasingWhatIsNotHeldIsAnError) {
  ResourceAllocator pool(ResourcePool{2, {0, 1}});
  std::optional<Allocation> a = pool.acquire(Resources{1, 1});
  ASSERT_TRUE(a);
  EXPECT_THROW(pool.release(Allocation{1, {1}}), Error);  // GPU 1 is free
  EXPECT_THROW(pool.release(Allocation{1, {9}}), Error);  // not in the pool
  EXPECT_THROW(pool.release(Allocation{2, {0}}), Error);  // more cpu than in use
  EXPECT_EQ(pool.free_gpus(), 1u);                        // the failed releases changed nothing
  pool.release(*a);
  EXPECT_EQ(pool.free_cpu(), 2);
  EXPECT_EQ(pool.free_gpus(), 2u);
}

TEST(ResourceAllocator, CapacityIsTheTighterOfCpuAndGpu) {
  ResourceAllocator pool(ResourcePool{7, {0, 1, 2, 3, 4}});
  EXPECT_EQ(pool.capacity(Resources{2, 0}), 3u);  // 7 / 2
  EXPECT_EQ(pool.capacity(Resources{1, 2}), 2u);  // 5 / 2
  EXPECT_EQ(pool.capacity(Resources{3, 1}), 2u);  // min(7 / 3, 5)
}

}  // namespace
}  // namespace tuneq::detail
