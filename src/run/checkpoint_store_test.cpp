#include "run/checkpoint_store.hpp"

#include <fstream>

#include <gtest/gtest.h>

#include "store/test_temp_dir.hpp"
#include "tuneq/error.hpp"

namespace tuneq::detail {
namespace {

using Discard = CheckpointRetention::Discard;
using Discards = std::vector<Discard>;

// A trial's own new checkpoint: saved, then its restore point (what the loop does).
void own(CheckpointRetention& r, TrialId id, const std::string& checkpoint) {
  r.saved(id, checkpoint);
  r.restore_point(id, id, checkpoint);
}

TEST(CheckpointRetention, KeepZeroKeepsEverything) {
  CheckpointRetention r(0);
  for (int i = 1; i <= 5; ++i) own(r, 0, "c" + std::to_string(i));
  EXPECT_EQ(r.take_discards(), Discards{});
  EXPECT_EQ(r.alive(), 5U);
}

TEST(CheckpointRetention, KeepOneDiscardsEachOlderCheckpointOfItsTrial) {
  CheckpointRetention r(1);
  own(r, 0, "a1");
  own(r, 1, "b1");
  EXPECT_EQ(r.take_discards(), Discards{});
  own(r, 0, "a2");  // a1 leaves the newest 1 and loses trial 0's reference
  EXPECT_EQ(r.take_discards(), (Discards{{0, "a1"}}));
  own(r, 0, "a3");
  EXPECT_EQ(r.take_discards(), (Discards{{0, "a2"}}));
  EXPECT_EQ(r.alive(), 2U);  // a3, b1
}

TEST(CheckpointRetention, KeepTwoKeepsTheTwoNewest) {
  CheckpointRetention r(2);
  own(r, 0, "a1");
  own(r, 0, "a2");
  EXPECT_EQ(r.take_discards(), Discards{});
  own(r, 0, "a3");
  EXPECT_EQ(r.take_discards(), (Discards{{0, "a1"}}));
}

TEST(CheckpointRetention, AClonedCheckpointLivesUntilTheCloneHasItsOwn) {
  CheckpointRetention r(1);
  own(r, 0, "a1");
  own(r, 1, "b1");
  r.restore_point(1, 0, "a1");  // trial 1 exploits trial 0's a1 (b1 loses its last reference)
  EXPECT_EQ(r.references("a1"), 2U);
  // b1 is still trial 1's newest: kept.
  EXPECT_EQ(r.take_discards(), Discards{});
  own(r, 0, "a2");  // a1 is no longer trial 0's newest, but trial 1 holds it
  EXPECT_EQ(r.take_discards(), Discards{});
  own(r, 0, "a3");  // a2 goes; a1 still held
  EXPECT_EQ(r.take_discards(), (Discards{{0, "a2"}}));
  own(r, 1, "b2");  // trial 1 has its own now: a1 and b1 go
  EXPECT_EQ(r.take_discards(), (Discards{{1, "b1"}, {0, "a1"}}));
  EXPECT_EQ(r.references("a1"), 0U);
  EXPECT_EQ(r.alive(), 2U);  // a3, b2
}

TEST(CheckpointRetention, AFinishedTrialKeepsItsLatestForever) {
  CheckpointRetention r(1);
  own(r, 0, "a1");
  own(r, 1, "b1");
  own(r, 1, "b2");
  EXPECT_EQ(r.take_discards(), (Discards{{1, "b1"}}));
  // Trial 0 never saves again (it finished): a1 stays, whatever the others do.
  for (int i = 3; i < 6; ++i) own(r, 1, "b" + std::to_string(i));
  for (const Discard& d : r.take_discards()) EXPECT_EQ(d.owner, 1U);
  EXPECT_EQ(r.references("a1"), 1U);
}

namespace fs = std::filesystem;

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

std::string read(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

TEST(CheckpointFiles, StageRestoreUsesOwnCheckpointsInPlaceAndCopiesOthers) {
  store::testing::TempDir dir;
  const fs::path a = dir.path() / "0";
  const fs::path b = dir.path() / "1";
  write(a / "ckpt-2" / "state.txt", "a at 2");
  write(b / "ckpt-1" / "state.txt", "b at 1");
  EXPECT_EQ(stage_restore(a, std::nullopt), "");
  EXPECT_EQ(stage_restore(a, "ckpt-2"), (a / "ckpt-2").string());
  EXPECT_EQ(stage_restore(a, (a / "ckpt-2").string()), (a / "ckpt-2").string());
  // Trial 1 restores from trial 0's checkpoint: a copy in its own directory.
  const std::string copy = stage_restore(b, (a / "ckpt-2").string());
  EXPECT_EQ(copy, (b / "tuneq-restore").string());
  EXPECT_EQ(read(fs::path(copy) / "state.txt"), "a at 2");
  // Writing into the copy never touches the source.
  write(fs::path(copy) / "state.txt", "changed");
  EXPECT_EQ(read(a / "ckpt-2" / "state.txt"), "a at 2");
  // A second exploit replaces the copy.
  write(a / "ckpt-3" / "other.txt", "a at 3");
  stage_restore(b, (a / "ckpt-3").string());
  EXPECT_FALSE(fs::exists(fs::path(copy) / "state.txt"));
  EXPECT_EQ(read(fs::path(copy) / "other.txt"), "a at 3");
  remove_restore_copy(b);
  EXPECT_FALSE(fs::exists(copy));
}

TEST(CheckpointFiles, MissingSourceIsAnIoErrorNamingIt) {
  store::testing::TempDir dir;
  const fs::path missing = dir.path() / "0" / "ckpt-9";
  try {
    stage_restore(dir.path() / "1", missing.string());
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "cannot copy checkpoint '" + missing.string() + "' to '" +
                                         (dir.path() / "1" / "tuneq-restore").string() +
                                         "': it does not exist");
  }
}

TEST(CheckpointFiles, RemoveOnlyInsideTheTrialDirectory) {
  store::testing::TempDir dir;
  const fs::path a = dir.path() / "0";
  write(a / "ckpt-1" / "x", "1");
  write(dir.path() / "1" / "ckpt-1" / "x", "1");
  EXPECT_FALSE(remove_checkpoint(a, (dir.path() / "1" / "ckpt-1").string()));
  EXPECT_FALSE(remove_checkpoint(a, "../1/ckpt-1"));
  EXPECT_FALSE(remove_checkpoint(a, "."));
  EXPECT_TRUE(fs::exists(dir.path() / "1" / "ckpt-1" / "x"));
  EXPECT_EQ(disk_usage(a), 1U);
  EXPECT_TRUE(remove_checkpoint(a, (a / "ckpt-1").string()));
  EXPECT_FALSE(fs::exists(a / "ckpt-1"));
  EXPECT_EQ(disk_usage(a), 0U);
}

}  // namespace
}  // namespace tuneq::detail
