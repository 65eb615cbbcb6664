// Every event store runs the same suite (as Optuna runs one suite over all its storages): what
// the tuner and `tuneq resume` rely on must hold for SqliteStore, MemoryStore and PackedEventLog
// alike.
#include <sys/wait.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/memory_store.hpp"
#include "store/packed_event_log.hpp"
#include "store/sqlite_store.hpp"
#include "store/test_temp_dir.hpp"
#include "tuneq/error.hpp"

namespace tuneq::store {
namespace {

// How the suite gets a store. make(): a new, empty store. For persistent stores, reopen(): the
// same store opened afresh (as `tuneq resume` does), after the previous object is gone.
class SqliteFactory {
 public:
  static constexpr bool kPersistent = true;
  static constexpr const char* kName = "Sqlite";
  std::unique_ptr<EventLog> make() { return SqliteStore::create(db(), R"({"metric":"loss"})"); }
  std::unique_ptr<EventLog> reopen() { return SqliteStore::open(db()); }

 private:
  std::filesystem::path db() const { return dir_ / "events.db"; }
  testing::TempDir dir_;
};

class MemoryFactory {
 public:
  static constexpr bool kPersistent = false;
  static constexpr const char* kName = "Memory";
  std::unique_ptr<EventLog> make() { return std::make_unique<MemoryStore>(); }
  std::unique_ptr<EventLog> reopen() { return nullptr; }
};

// Events appended as tuneq::Event are kept as given (typed payloads: packed_event_log_test.cpp).
class PackedFactory {
 public:
  static constexpr bool kPersistent = false;
  static constexpr const char* kName = "Packed";
  std::unique_ptr<EventLog> make() { return std::make_unique<PackedEventLog>(); }
  std::unique_ptr<EventLog> reopen() { return nullptr; }
};

template <typename Factory>
class StoreConformance : public ::testing::Test {
 protected:
  Factory factory;
};

using Factories = ::testing::Types<SqliteFactory, MemoryFactory, PackedFactory>;
class FactoryNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    return T::kName;
  }
};
TYPED_TEST_SUITE(StoreConformance, Factories, FactoryNames);

Event event(std::uint64_t seq) {
  static constexpr Event::Kind kKinds[] = {Event::Kind::kTrialAdded, Event::Kind::kStarted,
                                           Event::Kind::kResult, Event::Kind::kDecision};
  return {seq, 0.25 * static_cast<double>(seq), kKinds[seq % 4], seq / 4,
          R"({"n":)" + std::to_string(seq) + R"(,"text":"\u00e9 ,\"q\""})"};
}

std::vector<Event> events(std::uint64_t first, std::uint64_t end) {
  std::vector<Event> out;
  for (std::uint64_t seq = first; seq < end; ++seq) out.push_back(event(seq));
  return out;
}

void append(EventLog& log, std::uint64_t first, std::uint64_t end) {
  for (const Event& e : events(first, end)) log.append(e);
}

bool refused(EventLog& log, const Event& e) {
  try {
    log.append(e);
  } catch (const Error& error) {
    return error.IsFailedPrecondition();
  }
  return false;
}

TYPED_TEST(StoreConformance, StartsEmptyAtSeqZero) {
  auto log = this->factory.make();
  EXPECT_EQ(log->next_seq(), 0u);
  EXPECT_TRUE(log->read_all().empty());
  EXPECT_TRUE(log->read_since(0).empty());
}

TYPED_TEST(StoreConformance, ReadsBackEveryFieldInSeqOrder) {
  auto log = this->factory.make();
  append(*log, 0, 10);
  EXPECT_EQ(log->next_seq(), 10u);
  EXPECT_EQ(log->read_all(), events(0, 10));
}

TYPED_TEST(StoreConformance, ReadSinceIsTheSuffixFromThatSeq) {
  auto log = this->factory.make();
  append(*log, 0, 6);
  EXPECT_EQ(log->read_since(0), events(0, 6));
  EXPECT_EQ(log->read_since(4), events(4, 6));
  EXPECT_EQ(log->read_since(5), events(5, 6));
  EXPECT_TRUE(log->read_since(6).empty());
  EXPECT_TRUE(log->read_since(1000).empty());
}

TYPED_TEST(StoreConformance, FlushIsIdempotentAndAppendsContinueAfterIt) {
  auto log = this->factory.make();
  log->flush();  // nothing pending
  append(*log, 0, 3);
  log->flush();
  log->flush();
  append(*log, 3, 5);
  EXPECT_EQ(log->read_all(), events(0, 5));
  log->flush();
  EXPECT_EQ(log->read_all(), events(0, 5));
}

TYPED_TEST(StoreConformance, SeqGapsAndRepeatsAreRefusedWithoutChangingTheLog) {
  auto log = this->factory.make();
  EXPECT_TRUE(refused(*log, event(1)));  // the first event is seq 0
  append(*log, 0, 2);
  EXPECT_TRUE(refused(*log, event(3)));  // gap
  EXPECT_TRUE(refused(*log, event(1)));  // repeat
  EXPECT_TRUE(refused(*log, event(0)));
  EXPECT_EQ(log->next_seq(), 2u);
  EXPECT_EQ(log->read_all(), events(0, 2));
  log->append(event(2));
  EXPECT_EQ(log->read_all(), events(0, 3));
}

TYPED_TEST(StoreConformance, ReopeningReadsBackEverythingAndContinuesTheSeq) {
  if constexpr (!TypeParam::kPersistent) {
    GTEST_SKIP() << "an in-memory store does not outlive its object";
  } else {
    {
      auto log = this->factory.make();
      append(*log, 0, 7);
      log->flush();
    }
    auto log = this->factory.reopen();
    EXPECT_EQ(log->next_seq(), 7u);
    EXPECT_EQ(log->read_all(), events(0, 7));
    EXPECT_TRUE(refused(*log, event(3)));
    append(*log, 7, 9);
    log->flush();
    log.reset();
    EXPECT_EQ(this->factory.reopen()->read_all(), events(0, 9));
  }
}

// The tuner is killed (SIGKILL, OOM): a child process appends and flushes, appends some more,
// and leaves through _exit without running any destructor. Exactly the flushed events remain.
TYPED_TEST(StoreConformance, ACrashKeepsExactlyTheFlushedEvents) {
  if constexpr (!TypeParam::kPersistent) {
    GTEST_SKIP() << "an in-memory store does not outlive its process";
  } else {
    {
      auto log = this->factory.make();
      append(*log, 0, 5);
      log->flush();
    }
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      int code = 0;
      try {
        auto log = this->factory.reopen();
        append(*log, 5, 20);
        log->flush();
        append(*log, 20, 30);  // never flushed
        ::_exit(0);            // log's destructor (which would commit) never runs
      } catch (...) {
        code = 1;
      }
      ::_exit(code);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0);
    auto log = this->factory.reopen();
    EXPECT_EQ(log->next_seq(), 20u);
    EXPECT_EQ(log->read_all(), events(0, 20));
    append(*log, 20, 21);  // and the log goes on from there
    EXPECT_EQ(log->read_since(19), events(19, 21));
  }
}

}  // namespace
}  // namespace tuneq::store
