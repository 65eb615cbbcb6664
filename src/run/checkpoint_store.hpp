// Checkpoints the loop keeps track of, and the file operations the process executor does on
// them.
//
// CheckpointRetention (pure bookkeeping, used by the tuner loop): every trial has a restore point
// (its latest checkpoint, or after an exploit the checkpoint it cloned) that holds a reference on
// that checkpoint. With keep = N > 0, a checkpoint is discarded once it is neither among its
// owner's N newest nor referenced: so a trial's latest checkpoint is never discarded, and a
// checkpoint a trial was cloned from lives until that trial has one of its own. keep = 0 keeps
// every checkpoint.
//
// copy_checkpoint / remove_checkpoint: what the process executor does with directories.
// Thread safety: none.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tuneq/result.hpp"

namespace tuneq::detail {

class CheckpointRetention {
 public:
  struct Discard {
    TrialId owner = 0;
    std::string checkpoint;
    friend bool operator==(const Discard&, const Discard&) = default;
  };

  explicit CheckpointRetention(std::size_t keep) : keep_(keep) {}

  // `owner` saved a new checkpoint (its newest).
  void saved(TrialId owner, const std::string& checkpoint);
  // `holder`'s restore point is now `checkpoint` (owned by `owner`); the previous one loses the
  // holder's reference.
  void restore_point(TrialId holder, TrialId owner, const std::string& checkpoint);
  // Checkpoints that may be deleted now (each once). Drained by the call.
  std::vector<Discard> take_discards();

  // Checkpoints alive (saved and not discarded) and how many hold a reference on one.
  std::size_t alive() const;
  std::size_t references(const std::string& checkpoint) const;

 private:
  struct Held {
    TrialId owner = 0;
    std::string checkpoint;
  };
  void consider(TrialId owner, const std::string& checkpoint);
  bool in_newest(TrialId owner, const std::string& checkpoint) const;

  std::size_t keep_;
  std::map<TrialId, std::vector<std::string>> own_;  // per owner, oldest first, alive only
  std::map<std::string, std::size_t> refs_;
  std::map<TrialId, Held> restore_;  // per holder
  std::vector<Discard> discards_;
};

// Copies the checkpoint `source` (a directory or a file) to `target`, replacing what is there.
// Throws Error::Io naming both paths.
void copy_checkpoint(const std::filesystem::path& source, const std::filesystem::path& target);

// Deletes a checkpoint of a trial: `checkpoint` must lie inside `trial_dir` (anything else is
// left alone and false returned). Errors are ignored (a missing checkpoint is not a problem).
bool remove_checkpoint(const std::filesystem::path& trial_dir, const std::string& checkpoint);

// What a launch's TUNEQ_RESTORE is: "" without a restore; the checkpoint itself (absolute) when
// it lies inside `trial_dir` (the trial's own); else a copy of it made now at
// <trial_dir>/tuneq-restore (another trial's checkpoint, a PBT exploit): the trial never reads
// or writes another trial's directory. A checkpoint named in a report is complete (protocol),
// and trials write later checkpoints into new directories, so copying it while its trial runs
// is safe. Throws Error::Io when the copy fails.
std::string stage_restore(const std::filesystem::path& trial_dir,
                          const std::optional<std::string>& restore);
// Removes <trial_dir>/tuneq-restore (after the trial exited).
void remove_restore_copy(const std::filesystem::path& trial_dir);

// Bytes in the files under `path` (a file or a directory); 0 if it does not exist.
std::uintmax_t disk_usage(const std::filesystem::path& path);

}  // namespace tuneq::detail
