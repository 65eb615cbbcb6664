#include "store/sqlite_store.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tuneq/error.hpp"
#include "tuneq/version.hpp"

namespace tuneq::store {

namespace {

constexpr const char* kSchemaSql =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
    "CREATE TABLE events(seq INTEGER PRIMARY KEY, time REAL NOT NULL, kind TEXT NOT NULL,"
    " trial INTEGER NOT NULL, data TEXT NOT NULL);";

// For people querying a finished experiment by trial; tuneq's own reads go by seq. Built once at
// the end of a run (add_query_index) rather than kept up to date by every commit: maintaining it
// added a page to each commit, about 6% of a short trial's cost (docs/BENCHMARKS.md).
constexpr const char* kQueryIndexSql =
    "CREATE INDEX IF NOT EXISTS events_by_trial ON events(trial, seq)";

constexpr Event::Kind kAllKinds[] = {
    Event::Kind::kTrialAdded,   Event::Kind::kStarted,    Event::Kind::kResult,
    Event::Kind::kDecision,     Event::Kind::kCheckpoint, Event::Kind::kPaused,
    Event::Kind::kResumed,      Event::Kind::kFinished,   Event::Kind::kFailed,
    Event::Kind::kNoMoreTrials, Event::Kind::kExploit,
};

std::optional<Event::Kind> parse_kind(std::string_view text) {
  for (Event::Kind kind : kAllKinds) {
    if (text == to_string(kind)) return kind;
  }
  return std::nullopt;
}

std::string text_column(sqlite3_stmt* stmt, int column) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, column));
  const int size = sqlite3_column_bytes(stmt, column);
  return text ? std::string(text, static_cast<std::size_t>(size)) : std::string();
}

// Resets a long-lived statement when a read leaves scope, also by exception, so it never holds
// a read transaction open.
class ResetOnExit {
 public:
  explicit ResetOnExit(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~ResetOnExit() { sqlite3_reset(stmt_); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  sqlite3_stmt* stmt_;
};

// Removes a half-created store so that `create` can be retried.
void remove_store_files(const std::filesystem::path& db) {
  std::error_code ignored;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::filesystem::remove(db.string() + suffix, ignored);
  }
}

}  // namespace

void SqliteStore::DbCloser::operator()(sqlite3* db) const {
  sqlite3_close_v2(db);
}
void SqliteStore::StmtFinalizer::operator()(sqlite3_stmt* stmt) const {
  sqlite3_finalize(stmt);
}

SqliteStore::SqliteStore(std::filesystem::path path, Db db)
    : path_(std::move(path)), db_(std::move(db)) {}

// Opens the connection; on failure closes it and throws Io naming the path.
sqlite3* open_connection(const std::filesystem::path& db, int flags) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(db.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    sqlite3_close_v2(raw);
    throw Error::Io(fmt::format("{}: {}", db.string(), message));
  }
  // Another process (`tuneq status`) may hold the file briefly; wait instead of failing.
  sqlite3_busy_timeout(raw, 5000);
  return raw;
}

std::unique_ptr<SqliteStore> SqliteStore::create(const std::filesystem::path& db,
                                                 const std::string& meta_json,
                                                 Durability durability) {
  if (!nlohmann::json::accept(meta_json)) {
    throw Error::InvalidArgument(
        fmt::format("{}: the experiment spec to store is not valid JSON", db.string()));
  }
  // O_EXCL claims the name atomically: two tuneq processes never both create one experiment.
  const int fd = ::open(db.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    const int err = errno;
    if (err == EEXIST) {
      throw Error::FailedPrecondition(
          fmt::format("{}: already exists; an experiment directory holds one experiment "
                      "(use `tuneq resume` to continue it)",
                      db.string()));
    }
    throw Error::Io(fmt::format("{}: {}", db.string(), std::strerror(err)));
  }
  ::close(fd);

  std::unique_ptr<SqliteStore> store;
  try {
    store.reset(new SqliteStore(db, Db(open_connection(db, SQLITE_OPEN_READWRITE))));
    store->configure(durability);
    store->exec("BEGIN IMMEDIATE");
    store->exec(kSchemaSql);
    store->prepare_statements();
    store->set_meta("schema_version", std::to_string(kSchemaVersion));
    store->set_meta("created_by", kVersion);
    store->set_meta("spec", meta_json);
    store->exec("COMMIT");
  } catch (...) {
    store.reset();
    remove_store_files(db);
    throw;
  }
  return store;
}

std::unique_ptr<SqliteStore> SqliteStore::open(const std::filesystem::path& db,
                                               Durability durability) {
  std::error_code ec;
  if (!std::filesystem::exists(db, ec)) {
    throw Error::NotFound(
        fmt::format("{}: no such event store (is this an experiment directory?)", db.string()));
  }
  std::unique_ptr<SqliteStore> store(
      new SqliteStore(db, Db(open_connection(db, SQLITE_OPEN_READWRITE))));

  // Identify the file before changing anything in it (journal mode).
  const auto not_a_store = [&](const std::string& why) {
    return Error::Corruption(fmt::format("{}: not a tuneq event store ({})", db.string(), why));
  };
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(store->db_.get(), "SELECT value FROM meta WHERE key = 'schema_version'",
                         -1, &raw, nullptr) != SQLITE_OK) {
    throw not_a_store(sqlite3_errmsg(store->db_.get()));
  }
  Stmt version_query(raw);
  const int rc = sqlite3_step(raw);
  if (rc == SQLITE_DONE) throw not_a_store("no schema_version in its meta table");
  if (rc != SQLITE_ROW) throw not_a_store(sqlite3_errmsg(store->db_.get()));
  const std::string version = text_column(raw, 0);
  version_query.reset();
  if (version != std::to_string(kSchemaVersion)) {
    throw Error::Corruption(fmt::format("{}: schema version {}, this tuneq reads version {}",
                                        db.string(), version, kSchemaVersion));
  }
  if (sqlite3_prepare_v2(store->db_.get(), "SELECT max(seq) FROM events", -1, &raw, nullptr) !=
      SQLITE_OK) {
    throw not_a_store(sqlite3_errmsg(store->db_.get()));
  }
  Stmt max_query(raw);
  if (sqlite3_step(raw) != SQLITE_ROW) throw not_a_store(sqlite3_errmsg(store->db_.get()));
  if (sqlite3_column_type(raw, 0) != SQLITE_NULL) {
    const sqlite3_int64 last = sqlite3_column_int64(raw, 0);
    if (last < 0) throw not_a_store(fmt::format("negative seq {}", last));
    store->next_seq_ = static_cast<std::uint64_t>(last) + 1;
    store->committed_next_seq_ = store->next_seq_;
  }
  max_query.reset();

  store->configure(durability);
  store->prepare_statements();
  return store;
}

SqliteStore::~SqliteStore() {
  try {
    flush();
  } catch (...) {  // NOLINT(bugprone-empty-catch): a destructor must not throw; see header
  }
}

void SqliteStore::configure(Durability durability) {
  // journal_mode answers with the mode in effect; a file system without shared memory support
  // may refuse WAL, and then the durability promises above would not hold.
  Stmt mode = prepare("PRAGMA journal_mode=WAL");
  const int rc = sqlite3_step(mode.get());
  if (rc != SQLITE_ROW) fail(rc);
  const std::string got = text_column(mode.get(), 0);
  mode.reset();
  if (got != "wal") {
    throw Error::Io(fmt::format("{}: could not switch to the WAL journal (journal mode is '{}')",
                                path_.string(), got));
  }
  exec(durability == Durability::kPowerLoss ? "PRAGMA synchronous=FULL"
                                            : "PRAGMA synchronous=NORMAL");
  // A checkpoint (copying the WAL into the database) costs two fsyncs. SQLite's default runs one
  // every 1000 WAL pages, which with a commit per event (>= 2 pages: the table's and the index's
  // last leaf) is every few hundred events and dominates the cost of appending. Every 8192 pages
  // (32 MiB of WAL) makes it negligible; journal_size_limit gives the space back afterwards.
  exec("PRAGMA wal_autocheckpoint=8192");
  exec("PRAGMA journal_size_limit=67108864");
}

void SqliteStore::prepare_statements() {
  // BEGIN and COMMIT run once per flush: prepared once rather than parsed each time.
  begin_ = prepare("BEGIN IMMEDIATE");
  commit_ = prepare("COMMIT");
  insert_event_ = prepare("INSERT INTO events(seq, time, kind, trial, data) VALUES(?, ?, ?, ?, ?)");
  select_since_ =
      prepare("SELECT seq, time, kind, trial, data FROM events WHERE seq >= ? ORDER BY seq");
}

bool SqliteStore::add_query_index() noexcept {
  try {
    flush();
    exec(kQueryIndexSql);
    return true;
  } catch (...) {  // NOLINT(bugprone-empty-catch): an optimisation for readers; see header
    return false;
  }
}

void SqliteStore::exec(const char* sql) {
  const int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) fail(rc);
}

void SqliteStore::run(sqlite3_stmt* stmt) {
  const int rc = sqlite3_step(stmt);
  if (rc != SQLITE_DONE) {
    const std::string message = sqlite3_errmsg(db_.get());
    sqlite3_reset(stmt);
    throw Error::Io(fmt::format("{}: {}", path_.string(), message));
  }
  sqlite3_reset(stmt);
}

SqliteStore::Stmt SqliteStore::prepare(const char* sql) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v2(db_.get(), sql, -1, &raw, nullptr);
  if (rc != SQLITE_OK) fail(rc);
  return Stmt(raw);
}

void SqliteStore::fail(int rc) {
  const char* message = sqlite3_errmsg(db_.get());
  throw Error::Io(
      fmt::format("{}: {}", path_.string(), message && *message ? message : sqlite3_errstr(rc)));
}

void SqliteStore::append(const Event& event) {
  if (event.seq != next_seq_) {
    throw Error::FailedPrecondition(fmt::format("{}: appended seq {} but the next seq is {}",
                                                path_.string(), event.seq, next_seq_));
  }
  if (std::isnan(event.time)) {
    // SQLite stores NaN as NULL, which the schema (time NOT NULL) refuses.
    throw Error::InvalidArgument(
        fmt::format("{}: event seq {} has a NaN time", path_.string(), event.seq));
  }
  if (event.seq > static_cast<std::uint64_t>(std::numeric_limits<sqlite3_int64>::max()) ||
      event.trial > static_cast<std::uint64_t>(std::numeric_limits<sqlite3_int64>::max())) {
    throw Error::InvalidArgument(
        fmt::format("{}: seq {} / trial {} out of range", path_.string(), event.seq, event.trial));
  }
  if (!in_transaction_) {
    run(begin_.get());
    in_transaction_ = true;
  }
  sqlite3_stmt* stmt = insert_event_.get();
  // SQLITE_STATIC: the texts outlive the step; the statement is reset before append returns
  // and rebinds every parameter before its next step, so it never reads them afterwards.
  sqlite3_bind_int64(stmt, 1, static_cast<sqlite3_int64>(event.seq));
  sqlite3_bind_double(stmt, 2, event.time);
  sqlite3_bind_text(stmt, 3, to_string(event.kind), -1, SQLITE_STATIC);
  sqlite3_bind_int64(stmt, 4, static_cast<sqlite3_int64>(event.trial));
  sqlite3_bind_text(stmt, 5, event.data.data(), static_cast<int>(event.data.size()), SQLITE_STATIC);
  const int rc = sqlite3_step(stmt);
  if (rc != SQLITE_DONE) {
    const std::string message = sqlite3_errmsg(db_.get());
    sqlite3_reset(stmt);
    resync_after_error();
    throw Error::Io(fmt::format("{}: {}", path_.string(), message));
  }
  sqlite3_reset(stmt);
  ++next_seq_;
  if (++pending_ >= kAutoCommitEvents) commit();
}

void SqliteStore::flush() {
  if (in_transaction_) commit();
}

void SqliteStore::commit() {
  const int rc = sqlite3_step(commit_.get());
  if (rc != SQLITE_DONE) {
    const std::string message = sqlite3_errmsg(db_.get());
    sqlite3_reset(commit_.get());
    resync_after_error();
    throw Error::Io(fmt::format("{}: {}", path_.string(), message));
  }
  sqlite3_reset(commit_.get());
  in_transaction_ = false;
  pending_ = 0;
  committed_next_seq_ = next_seq_;
}

// Some errors (disk full, I/O error) make SQLite roll the whole transaction back; then the
// uncommitted appends are gone and the next append must repeat them.
void SqliteStore::resync_after_error() {
  if (in_transaction_ && sqlite3_get_autocommit(db_.get()) != 0) {
    in_transaction_ = false;
    pending_ = 0;
    next_seq_ = committed_next_seq_;
  }
}

std::vector<Event> SqliteStore::read_all() {
  return read_since(0);
}

std::vector<Event> SqliteStore::read_since(std::uint64_t first_seq) {
  if (first_seq > static_cast<std::uint64_t>(std::numeric_limits<sqlite3_int64>::max())) return {};
  sqlite3_stmt* stmt = select_since_.get();
  ResetOnExit reset(stmt);
  sqlite3_bind_int64(stmt, 1, static_cast<sqlite3_int64>(first_seq));
  return read_rows(stmt);
}

std::vector<Event> SqliteStore::read_rows(sqlite3_stmt* stmt) {
  std::vector<Event> events;
  for (;;) {
    const int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) fail(rc);
    Event& event = events.emplace_back();
    const sqlite3_int64 seq = sqlite3_column_int64(stmt, 0);
    const sqlite3_int64 trial = sqlite3_column_int64(stmt, 3);
    const std::string kind = text_column(stmt, 2);
    const std::optional<Event::Kind> parsed = parse_kind(kind);
    if (seq < 0 || trial < 0 || !parsed) {
      throw Error::Corruption(fmt::format("{}: event seq {} has kind '{}' and trial {}",
                                          path_.string(), seq, kind, trial));
    }
    event.seq = static_cast<std::uint64_t>(seq);
    event.time = sqlite3_column_double(stmt, 1);
    event.kind = *parsed;
    event.trial = static_cast<std::uint64_t>(trial);
    event.data = text_column(stmt, 4);
  }
  return events;
}

std::string SqliteStore::meta(const std::string& key) {
  Stmt stmt = prepare("SELECT value FROM meta WHERE key = ?");
  sqlite3_bind_text(stmt.get(), 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
  const int rc = sqlite3_step(stmt.get());
  if (rc == SQLITE_DONE) {
    throw Error::NotFound(fmt::format("{}: no meta value '{}'", path_.string(), key));
  }
  if (rc != SQLITE_ROW) fail(rc);
  return text_column(stmt.get(), 0);
}

void SqliteStore::set_meta(const std::string& key, const std::string& value) {
  Stmt stmt = prepare("INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)");
  sqlite3_bind_text(stmt.get(), 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
  sqlite3_bind_text(stmt.get(), 2, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
  const int rc = sqlite3_step(stmt.get());
  if (rc != SQLITE_DONE) fail(rc);
}

}  // namespace tuneq::store
