#include "store/sqlite_store.hpp"

#include <sqlite3.h>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "store/test_temp_dir.hpp"
#include "tuneq/error.hpp"

namespace tuneq::store {
namespace {

using testing::TempDir;

Event result_event(std::uint64_t seq, TrialId trial = 0) {
  return {seq, 1.5 * static_cast<double>(seq), Event::Kind::kResult, trial,
          R"({"resource":1.0,"metrics":{"loss":0.25}})"};
}

// Runs sql on a second connection to db (as another process would) and returns the first
// column of the first row as text, or "<none>" when there is no row.
std::string query(const std::filesystem::path& db, const std::string& sql,
                  int flags = SQLITE_OPEN_READWRITE) {
  sqlite3* raw = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db.c_str(), &raw, flags, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  std::string out = "<none>";
  if (sqlite3_prepare_v2(raw, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    out = std::string("<error: ") + sqlite3_errmsg(raw) + ">";
  } else if (sqlite3_step(stmt) == SQLITE_ROW) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    out = text ? text : "<null>";
  }
  sqlite3_finalize(stmt);
  sqlite3_close_v2(raw);
  return out;
}

template <typename F>
Error error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no tuneq::Error thrown";
  return Error::Io("none");
}

TEST(SqliteStore, CreateRecordsVersionCreatorAndSpecInMeta) {
  TempDir dir;
  auto store = SqliteStore::create(dir / "events.db", R"({"metric":"loss"})");
  EXPECT_EQ(store->meta("schema_version"), "1");
  EXPECT_EQ(store->meta("created_by"), "tuneq 0.1.0");
  EXPECT_EQ(store->meta("spec"), R"({"metric":"loss"})");
  EXPECT_EQ(store->next_seq(), 0u);
  EXPECT_TRUE(store->read_all().empty());
  EXPECT_TRUE(error_of([&] { store->meta("nope"); }).IsNotFound());
  store->set_meta("spec", "{}");
  EXPECT_EQ(store->meta("spec"), "{}");
}

TEST(SqliteStore, SchemaHasTheDocumentedTablesIndexAndWalJournal) {
  TempDir dir;
  const auto db = dir / "events.db";
  auto store = SqliteStore::create(db, "{}");
  EXPECT_EQ(query(db, "SELECT sql FROM sqlite_master WHERE name = 'events'"),
            "CREATE TABLE events(seq INTEGER PRIMARY KEY, time REAL NOT NULL, kind TEXT NOT NULL,"
            " trial INTEGER NOT NULL, data TEXT NOT NULL)");
  EXPECT_EQ(query(db, "PRAGMA journal_mode"), "wal");
  // The index for queries by trial comes when the run ends, with what was appended pending.
  EXPECT_EQ(query(db, "SELECT count(*) FROM sqlite_master WHERE name = 'events_by_trial'"), "0");
  store->append({0, 1.0, Event::Kind::kPaused, 3, "{}"});
  EXPECT_TRUE(store->add_query_index());
  EXPECT_EQ(store->pending(), 0u);
  EXPECT_EQ(query(db, "SELECT sql FROM sqlite_master WHERE name = 'events_by_trial'"),
            "CREATE INDEX events_by_trial ON events(trial, seq)");
  EXPECT_EQ(query(db, "SELECT seq FROM events INDEXED BY events_by_trial WHERE trial = 3"), "0");
  EXPECT_TRUE(store->add_query_index());  // idempotent
  store.reset();
  // A resumed run appends with the index in place.
  store = SqliteStore::open(db);
  store->append({1, 2.0, Event::Kind::kPaused, 3, "{}"});
  store->flush();
  EXPECT_EQ(query(db, "SELECT count(*) FROM events INDEXED BY events_by_trial WHERE trial = 3"),
            "2");
}

TEST(SqliteStore, CreateRefusesAnExistingFileAndLeavesItAlone) {
  TempDir dir;
  { std::ofstream(dir / "events.db") << "precious"; }
  const Error e = error_of([&] { SqliteStore::create(dir / "events.db", "{}"); });
  EXPECT_TRUE(e.IsFailedPrecondition()) << e.what();
  std::ifstream in(dir / "events.db");
  std::string content;
  in >> content;
  EXPECT_EQ(content, "precious");
}

TEST(SqliteStore, CreateRejectsASpecThatIsNotJsonAndLeavesNoFile) {
  TempDir dir;
  EXPECT_TRUE(
      error_of([&] { SqliteStore::create(dir / "events.db", "{oops"); }).IsInvalidArgument());
  EXPECT_FALSE(std::filesystem::exists(dir / "events.db"));
}

TEST(SqliteStore, CreateInAMissingDirectoryIsIoNamingThePath) {
  TempDir dir;
  const auto db = dir / "missing" / "events.db";
  const Error e = error_of([&] { SqliteStore::create(db, "{}"); });
  EXPECT_TRUE(e.IsIo());
  EXPECT_NE(std::string(e.what()).find(db.string()), std::string::npos) << e.what();
}

TEST(SqliteStore, OpenMissingIsNotFound) {
  TempDir dir;
  EXPECT_TRUE(error_of([&] { SqliteStore::open(dir / "events.db"); }).IsNotFound());
}

TEST(SqliteStore, OpenOfAFileThatIsNotATuneqStoreIsCorruption) {
  TempDir dir;
  {
    std::ofstream(dir / "text.db") << "this is not a database, just some text that is long enough"
                                      " to fill SQLite's 100-byte header and then some more bytes.";
  }
  // A SQLite database, but not ours.
  query(dir / "foreign.db", "CREATE TABLE other(x)", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  { std::ofstream touch(dir / "empty.db"); }  // e.g. a crash inside create()
  for (const char* name : {"text.db", "foreign.db", "empty.db"}) {
    const Error e = error_of([&] { SqliteStore::open(dir / name); });
    EXPECT_TRUE(e.IsCorruption()) << name << ": " << e.what();
    EXPECT_NE(std::string(e.what()).find("not a tuneq event store"), std::string::npos) << e.what();
  }
}

TEST(SqliteStore, OpenOfAnotherSchemaVersionIsCorruptionSayingBothVersions) {
  TempDir dir;
  const auto db = dir / "events.db";
  SqliteStore::create(db, "{}")->set_meta("schema_version", "2");
  const Error e = error_of([&] { SqliteStore::open(db); });
  EXPECT_TRUE(e.IsCorruption());
  EXPECT_EQ(std::string(e.what()), db.string() + ": schema version 2, this tuneq reads version 1");
}

TEST(SqliteStore, StoresEachFieldInItsColumn) {
  TempDir dir;
  const auto db = dir / "events.db";
  auto store = SqliteStore::create(db, "{}");
  store->append({0, 0.0, Event::Kind::kTrialAdded, 7, R"({"config":{"lr":0.1}})"});
  store->append({1, 2.5, Event::Kind::kDecision, 7, R"({"action":"stop"})"});
  store->flush();
  EXPECT_EQ(query(db,
                  "SELECT kind || '|' || trial || '|' || time || '|' || data FROM events "
                  "WHERE seq = 1"),
            R"(decision|7|2.5|{"action":"stop"})");
  EXPECT_EQ(query(db, "SELECT group_concat(kind) FROM events"), "trial_added,decision");
}

TEST(SqliteStore, AppendsBecomeVisibleToOtherReadersOnlyAtFlush) {
  TempDir dir;
  const auto db = dir / "events.db";
  auto store = SqliteStore::create(db, "{}");
  for (std::uint64_t seq = 0; seq < 3; ++seq) store->append(result_event(seq));
  EXPECT_EQ(store->pending(), 3u);
  EXPECT_EQ(query(db, "SELECT count(*) FROM events"), "0");
  EXPECT_EQ(store->read_all().size(), 3u);  // its own connection sees them
  store->flush();
  EXPECT_EQ(store->pending(), 0u);
  EXPECT_EQ(query(db, "SELECT count(*) FROM events"), "3");
}

TEST(SqliteStore, CommitsByItselfEvery4096Appends) {
  TempDir dir;
  const auto db = dir / "events.db";
  auto store = SqliteStore::create(db, "{}");
  for (std::uint64_t seq = 0; seq < 4095; ++seq) store->append(result_event(seq));
  EXPECT_EQ(query(db, "SELECT count(*) FROM events"), "0");
  store->append(result_event(4095));  // the 4096th
  EXPECT_EQ(store->pending(), 0u);
  EXPECT_EQ(query(db, "SELECT count(*) FROM events"), "4096");
  store->append(result_event(4096));
  EXPECT_EQ(store->pending(), 1u);
  EXPECT_EQ(query(db, "SELECT count(*) FROM events"), "4096");
}

TEST(SqliteStore, DestructorCommitsPendingAppends) {
  TempDir dir;
  const auto db = dir / "events.db";
  {
    auto store = SqliteStore::create(db, "{}");
    store->append(result_event(0));
    store->append(result_event(1));
  }
  auto reopened = SqliteStore::open(db);
  EXPECT_EQ(reopened->read_all().size(), 2u);
  EXPECT_EQ(reopened->next_seq(), 2u);
}

TEST(SqliteStore, SeqOutOfOrderIsRefusedNamingBothSeqs) {
  TempDir dir;
  auto store = SqliteStore::create(dir / "events.db", "{}");
  store->append(result_event(0));
  const Error e = error_of([&] { store->append(result_event(2)); });
  EXPECT_TRUE(e.IsFailedPrecondition());
  EXPECT_NE(std::string(e.what()).find("appended seq 2 but the next seq is 1"), std::string::npos)
      << e.what();
  EXPECT_EQ(store->read_all().size(), 1u);
}

TEST(SqliteStore, NanTimeIsRefused) {
  TempDir dir;
  auto store = SqliteStore::create(dir / "events.db", "{}");
  Event event = result_event(0);
  event.time = std::nan("");
  EXPECT_TRUE(error_of([&] { store->append(event); }).IsInvalidArgument());
  EXPECT_EQ(store->next_seq(), 0u);
}

TEST(SqliteStore, UnknownKindInTheFileIsCorruptionNamingTheSeq) {
  TempDir dir;
  const auto db = dir / "events.db";
  SqliteStore::create(db, "{}");
  query(db, "INSERT INTO events VALUES(0, 0.0, 'exploded', 0, '{}')");
  auto store = SqliteStore::open(db);
  EXPECT_EQ(store->next_seq(), 1u);
  const Error e = error_of([&] { store->read_all(); });
  EXPECT_TRUE(e.IsCorruption());
  EXPECT_NE(std::string(e.what()).find("event seq 0 has kind 'exploded'"), std::string::npos)
      << e.what();
}

TEST(SqliteStore, PowerLossDurabilityWorksTheSame) {
  TempDir dir;
  const auto db = dir / "events.db";
  auto store = SqliteStore::create(db, "{}", Durability::kPowerLoss);
  store->append(result_event(0));
  store->flush();
  EXPECT_EQ(query(db, "SELECT count(*) FROM events"), "1");
}

constexpr std::uint64_t kNumKinds = static_cast<std::uint64_t>(Event::Kind::kExploit) + 1;

// Any kind, any text (NUL bytes, invalid UTF-8 included) and any non-NaN time come back
// bit-identical.
RC_GTEST_PROP(SqliteStore, EventsRoundTripExactly,
              (const std::vector<std::string>& payloads, double time, std::uint32_t trial)) {
  RC_PRE(!std::isnan(time));
  TempDir dir;
  std::vector<Event> written;
  {
    auto store = SqliteStore::create(dir / "events.db", "{}");
    for (const std::string& data : payloads) {
      const auto seq = written.size();
      written.push_back({seq, time, static_cast<Event::Kind>(seq % kNumKinds), trial + seq, data});
      store->append(written.back());
    }
  }
  RC_ASSERT(SqliteStore::open(dir / "events.db")->read_all() == written);
}

}  // namespace
}  // namespace tuneq::store
