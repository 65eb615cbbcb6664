#include "ui/progress_table.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>

namespace tuneq::ui {
namespace {

constexpr std::array kStatuses = {TrialStatus::kRunning, TrialStatus::kPaused,
                                  TrialStatus::kPending, TrialStatus::kCompleted,
                                  TrialStatus::kStopped, TrialStatus::kFailed};

std::string number(double v) {
  if (std::isnan(v)) return "-";
  return fmt::format("{:.6g}", v);
}

std::string cut(std::string s, std::size_t width) {
  if (s.size() <= width) return s;
  if (width <= 1) return s.substr(0, width);
  return s.substr(0, width - 1) + "~";
}

// Rows shown: every running trial, then the others most recently heard from (highest id first as
// a stable proxy), up to max_rows.
std::vector<const TrialRecord*> pick_rows(const std::vector<TrialRecord>& trials,
                                          std::size_t max_rows) {
  std::vector<const TrialRecord*> rows;
  for (const auto& t : trials) {
    if (t.status == TrialStatus::kRunning) rows.push_back(&t);
  }
  for (auto it = trials.rbegin(); it != trials.rend() && rows.size() < max_rows; ++it) {
    if (it->status != TrialStatus::kRunning) rows.push_back(&*it);
  }
  if (rows.size() > max_rows) rows.resize(max_rows);
  std::sort(rows.begin(), rows.end(),
            [](const TrialRecord* a, const TrialRecord* b) { return a->id < b->id; });
  return rows;
}

}  // namespace

std::string format_elapsed(double seconds) {
  const auto total = static_cast<long long>(std::max(0.0, seconds));
  const long long days = total / 86400;
  const std::string hms =
      fmt::format("{:02}:{:02}:{:02}", (total / 3600) % 24, (total / 60) % 60, total % 60);
  return days > 0 ? fmt::format("{}d {}", days, hms) : hms;
}

std::string render_line(const Snapshot& s) {
  std::size_t counts[6] = {};
  const auto& trials = *s.trials;
  for (const auto& t : trials) ++counts[static_cast<std::size_t>(t.status)];
  std::string line = fmt::format("[{}] {} trials:", format_elapsed(s.elapsed), trials.size());
  bool first = true;
  for (TrialStatus st : kStatuses) {
    const std::size_t n = counts[static_cast<std::size_t>(st)];
    if (n == 0) continue;
    line += fmt::format("{} {} {}", first ? "" : ",", n, to_string(st));
    first = false;
  }
  if (s.best && *s.best < trials.size()) {
    line += fmt::format(" | best {} {} (trial {}: {})", s.metric, number(s.best_value), *s.best,
                        config_to_string(trials[*s.best].config));
  }
  return line;
}

std::string render_status(const Snapshot& s, std::size_t max_rows, std::size_t width) {
  const auto& trials = *s.trials;
  std::string out = cut(fmt::format("== tuneq · {} · {} elapsed · {} ==", s.experiment,
                                    format_elapsed(s.elapsed), s.scheduler),
                        width);
  out += '\n';
  const std::string summary = render_line(s);
  out += cut(summary.substr(summary.find(']') + 2), width) + '\n';
  if (!s.rungs.empty()) {
    std::string rungs = "rungs:";
    for (const auto& r : s.rungs) {
      rungs += fmt::format(
          " {}[{}] {} recorded",
          s.rungs.size() > 1 && r.bracket > 0 ? fmt::format("b{} ", r.bracket) : std::string(),
          number(r.resource), r.recorded);
      if (r.promoted > 0) rungs += fmt::format(", {} promoted", r.promoted);
      if (r.paused > 0) rungs += fmt::format(", {} waiting", r.paused);
      rungs += " |";
    }
    rungs.pop_back();
    out += cut(rungs, width) + '\n';
  }
  if (trials.empty()) return out;

  // Columns: trial, status, each config parameter, resource, metric (last), best, decision.
  std::vector<std::string> header = {"trial", "status"};
  for (const auto& [name, value] : trials.front().config) header.push_back(name);
  header.push_back(s.resource_attr.empty() ? "reports" : s.resource_attr);
  header.push_back(s.metric);
  header.push_back("best");
  header.push_back("last decision");
  std::vector<std::vector<std::string>> cells;
  for (const TrialRecord* t : pick_rows(trials, max_rows)) {
    std::vector<std::string> row = {fmt::format("{}", t->id), to_string(t->status)};
    for (const auto& [name, value] : t->config) row.push_back(cut(value.to_string(), 12));
    row.push_back(number(t->resource));
    row.push_back(number(t->last_value));
    row.push_back(number(t->best_value));
    row.push_back(cut(t->last_reason, 48));
    row.resize(header.size());
    cells.push_back(std::move(row));
  }
  std::vector<std::size_t> w(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) {
    w[c] = header[c].size();
    for (const auto& row : cells) w[c] = std::max(w[c], row[c].size());
  }
  auto line = [&](const std::vector<std::string>& row) {
    std::string l = "|";
    for (std::size_t c = 0; c < row.size(); ++c) {
      const bool left = c == 1 || c + 1 == row.size();  // status and decision read left to right
      l += left ? fmt::format(" {:<{}} |", row[c], w[c]) : fmt::format(" {:>{}} |", row[c], w[c]);
    }
    return cut(l, width) + '\n';
  };
  std::string rule = "+";
  for (std::size_t c = 0; c < header.size(); ++c) rule += std::string(w[c] + 2, '-') + "+";
  rule = cut(rule, width) + '\n';
  out += rule + line(header) + rule;
  for (const auto& row : cells) out += line(row);
  out += rule;
  if (trials.size() > cells.size()) {
    out += fmt::format("... {} more trials (tuneq status DIR shows all)\n",
                       trials.size() - cells.size());
  }
  return out;
}

}  // namespace tuneq::ui
