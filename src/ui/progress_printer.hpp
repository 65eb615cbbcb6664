// Draws the progress of a running experiment: on a terminal the status block is redrawn in place
// (ANSI cursor-up + clear), elsewhere (a pipe, a log file, CI) one plain line is printed every
// `plain_interval` seconds. It only reads snapshots; it never reaches into the loop.
#pragma once

#include <cstdio>
#include <string>

#include "ui/progress_table.hpp"

namespace tuneq::ui {

class ProgressPrinter {
 public:
  // Writes to `out` (borrowed); `tty` says whether it is a terminal (see is_terminal()).
  ProgressPrinter(std::FILE* out, bool tty, double plain_interval = 10)
      : out_(out), tty_(tty), plain_interval_(plain_interval) {}

  // Draws s if it is time to (always when final). `s.elapsed` is the clock used for pacing.
  void show(const Snapshot& s, bool final);

  static bool is_terminal(std::FILE* f);

 private:
  std::FILE* out_;
  bool tty_;
  double plain_interval_;
  double last_plain_ = -1e300;
  std::size_t lines_drawn_ = 0;  // lines of the block last drawn on the terminal
};

}  // namespace tuneq::ui
