#include "run/checkpoint_store.hpp"

#include <algorithm>
#include <system_error>

#include <fmt/format.h>

#include "tuneq/error.hpp"

namespace tuneq::detail {

namespace fs = std::filesystem;

void CheckpointRetention::saved(TrialId owner, const std::string& checkpoint) {
  std::vector<std::string>& list = own_[owner];
  if (std::find(list.begin(), list.end(), checkpoint) != list.end()) return;
  list.push_back(checkpoint);
  if (keep_ > 0 && list.size() > keep_) {
    const std::string fallen = list[list.size() - keep_ - 1];  // just left the newest keep_
    consider(owner, fallen);
  }
}

void CheckpointRetention::restore_point(TrialId holder, TrialId owner,
                                        const std::string& checkpoint) {
  ++refs_[checkpoint];
  const auto it = restore_.find(holder);
  if (it != restore_.end()) {
    const Held previous = it->second;
    it->second = Held{owner, checkpoint};
    auto ref = refs_.find(previous.checkpoint);
    if (ref != refs_.end() && --ref->second == 0) {
      refs_.erase(ref);
      consider(previous.owner, previous.checkpoint);
    }
  } else {
    restore_.emplace(holder, Held{owner, checkpoint});
  }
}

std::vector<CheckpointRetention::Discard> CheckpointRetention::take_discards() {
  std::vector<Discard> out;
  out.swap(discards_);
  return out;
}

std::size_t CheckpointRetention::alive() const {
  std::size_t n = 0;
  for (const auto& [owner, list] : own_) n += list.size();
  return n;
}

std::size_t CheckpointRetention::references(const std::string& checkpoint) const {
  const auto it = refs_.find(checkpoint);
  return it == refs_.end() ? 0 : it->second;
}

bool CheckpointRetention::in_newest(TrialId owner, const std::string& checkpoint) const {
  const auto it = own_.find(owner);
  if (it == own_.end()) return false;
  const std::vector<std::string>& list = it->second;
  const std::size_t first = list.size() > keep_ ? list.size() - keep_ : 0;
  return std::find(list.begin() + static_cast<std::ptrdiff_t>(first), list.end(), checkpoint) !=
         list.end();
}

void CheckpointRetention::consider(TrialId owner, const std::string& checkpoint) {
  if (keep_ == 0 || refs_.contains(checkpoint) || in_newest(owner, checkpoint)) return;
  const auto it = own_.find(owner);
  if (it == own_.end()) return;
  auto at = std::find(it->second.begin(), it->second.end(), checkpoint);
  if (at == it->second.end()) return;  // not one of owner's (or discarded already)
  it->second.erase(at);
  discards_.push_back({owner, checkpoint});
}

void copy_checkpoint(const fs::path& source, const fs::path& target) {
  std::error_code ec;
  if (!fs::exists(source, ec)) {
    throw Error::Io(fmt::format("cannot copy checkpoint '{}' to '{}': it does not exist",
                                source.string(), target.string()));
  }
  fs::remove_all(target, ec);
  ec.clear();
  if (fs::is_directory(source, ec)) {
    fs::copy(source, target, fs::copy_options::recursive | fs::copy_options::copy_symlinks, ec);
  } else if (!ec) {
    fs::copy_file(source, target, ec);
  }
  if (ec) {
    fs::remove_all(target, ec);
    throw Error::Io(fmt::format("cannot copy checkpoint '{}' to '{}': {}", source.string(),
                                target.string(), ec.message()));
  }
}

namespace {
constexpr const char* kRestoreCopy = "tuneq-restore";

bool inside(const fs::path& dir, const fs::path& path) {
  const fs::path relative = path.lexically_relative(dir);
  return !relative.empty() && *relative.begin() != ".." && relative != ".";
}
}  // namespace

std::string stage_restore(const fs::path& trial_dir, const std::optional<std::string>& restore) {
  if (!restore || restore->empty()) return {};
  const fs::path dir = trial_dir.lexically_normal();
  const fs::path path = (dir / *restore).lexically_normal();
  if (inside(dir, path)) return path.string();
  const fs::path copy = dir / kRestoreCopy;
  copy_checkpoint(path, copy);
  return copy.string();
}

void remove_restore_copy(const fs::path& trial_dir) {
  std::error_code ec;
  fs::remove_all(trial_dir / kRestoreCopy, ec);
}

bool remove_checkpoint(const fs::path& trial_dir, const std::string& checkpoint) {
  const fs::path dir = trial_dir.lexically_normal();
  const fs::path path = (dir / checkpoint).lexically_normal();
  if (!inside(dir, path)) return false;
  std::error_code ec;
  fs::remove_all(path, ec);
  return true;
}

std::uintmax_t disk_usage(const fs::path& path) {
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) return fs::file_size(path, ec);
  std::uintmax_t total = 0;
  if (!fs::is_directory(path, ec)) return 0;
  for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) {
      const std::uintmax_t size = it->file_size(size_ec);
      if (!size_ec) total += size;
    }
  }
  return total;
}

}  // namespace tuneq::detail
