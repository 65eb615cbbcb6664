// The experiment's event log in SQLite (DIR/events.db): the durable truth that `tuneq resume`
// replays and `tuneq status/best/export` query.
//
// Schema (version 1):
//   meta(key TEXT PRIMARY KEY, value TEXT)   schema_version = "1", created_by = "tuneq 0.1.0",
//                                            spec = the experiment spec as JSON text
//   events(seq INTEGER PRIMARY KEY, time REAL NOT NULL, kind TEXT NOT NULL,
//          trial INTEGER NOT NULL, data TEXT NOT NULL)
//   index events_by_trial(trial, seq), made by add_query_index when a run ends
//   kind holds to_string(Event::Kind) ("trial_added", "result", ...); data the JSON payload.
//
// Durability: WAL journal. append() writes into an open transaction; flush() commits it, and a
// commit also happens every kAutoCommitEvents appends and in the destructor. With
// Durability::kProcessCrash (synchronous=NORMAL) everything flushed survives the tuner being
// killed (SIGKILL, abort, OOM); a power loss or kernel crash may lose the latest commits (never
// corrupt the file). Durability::kPowerLoss (synchronous=FULL) fsyncs every commit.
//
// Every SQLite failure is Error::Io("<db path>: <sqlite message>").
// Thread safety: none; one object per thread. Other processes may read the same file while
// this one writes (WAL readers see the last commit).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "store/event_log.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace tuneq::store {

enum class Durability {
  kProcessCrash,  // synchronous=NORMAL: survives the process being killed
  kPowerLoss,     // synchronous=FULL: also survives power loss, at one fsync per commit
};

class SqliteStore final : public EventLog {
 public:
  static constexpr int kSchemaVersion = 1;
  static constexpr std::size_t kAutoCommitEvents = 4096;

  // A new, empty store at db holding meta_json (the experiment spec) as meta "spec".
  // Errors: FailedPrecondition if db already exists; InvalidArgument if meta_json is not JSON;
  // Io if the file cannot be created (e.g. its directory is missing).
  static std::unique_ptr<SqliteStore> create(const std::filesystem::path& db,
                                             const std::string& meta_json,
                                             Durability durability = Durability::kProcessCrash);
  // An existing store; appends continue at next_seq().
  // Errors: NotFound if db does not exist; Corruption if it is not a tuneq store or its schema
  // version is not kSchemaVersion; Io for other SQLite failures.
  static std::unique_ptr<SqliteStore> open(const std::filesystem::path& db,
                                           Durability durability = Durability::kProcessCrash);

  // Commits pending appends; a failure here is swallowed (call flush() to see errors).
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  // REQUIRES: event.seq == next_seq(), else Error::FailedPrecondition (nothing is written);
  // event.time is not NaN, else Error::InvalidArgument.
  void append(const Event& event) override;
  // Commits everything appended so far; a no-op when nothing is pending.
  void flush() override;

  // Include appends not yet flushed (same connection). Throw Corruption for a row whose kind
  // is unknown or whose seq/trial is negative.
  std::vector<Event> read_all() override;
  std::vector<Event> read_since(std::uint64_t first_seq) override;
  std::uint64_t next_seq() const override { return next_seq_; }

  // meta value of key; Error::NotFound if there is none.
  std::string meta(const std::string& key);
  // Inserts or replaces; part of the pending transaction if there is one.
  void set_meta(const std::string& key, const std::string& value);

  // Commits, then makes the index events_by_trial(trial, seq) if it is missing: for people and
  // tools querying a finished experiment by trial (tuneq itself reads by seq). Called when a run
  // ends, so no commit during the run pays for keeping it. Best effort: false if it failed (the
  // log itself is unaffected).
  bool add_query_index() noexcept;

  const std::filesystem::path& path() const { return path_; }
  // Appends not yet committed.
  std::size_t pending() const { return pending_; }

  // Implementation details, public only so the .cpp's deleters can be named here.
  struct DbCloser {
    void operator()(sqlite3* db) const;
  };
  struct StmtFinalizer {
    void operator()(sqlite3_stmt* stmt) const;
  };

 private:
  using Db = std::unique_ptr<sqlite3, DbCloser>;
  using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

  SqliteStore(std::filesystem::path path, Db db);
  void configure(Durability durability);
  void prepare_statements();
  void exec(const char* sql);
  void run(sqlite3_stmt* stmt);  // steps a statement that returns no rows, then resets it
  Stmt prepare(const char* sql);
  [[noreturn]] void fail(int rc);
  void commit();
  void resync_after_error();
  std::vector<Event> read_rows(sqlite3_stmt* stmt);

  std::filesystem::path path_;
  Db db_;  // declared before the statements: they are finalized first
  Stmt begin_;
  Stmt commit_;
  Stmt insert_event_;
  Stmt select_since_;
  bool in_transaction_ = false;
  std::size_t pending_ = 0;
  std::uint64_t next_seq_ = 0;
  std::uint64_t committed_next_seq_ = 0;  // next_seq_ as of the last commit
};

}  // namespace tuneq::store
