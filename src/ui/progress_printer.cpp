#include "ui/progress_printer.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>

namespace tuneq::ui {
namespace {

std::size_t terminal_width(std::FILE* f) {
  winsize ws{};
  if (ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20) return ws.ws_col;
  return 120;
}

}  // namespace

bool ProgressPrinter::is_terminal(std::FILE* f) {
  return isatty(fileno(f)) == 1;
}

void ProgressPrinter::show(const Snapshot& s, bool final) {
  if (!tty_) {
    if (!final && s.elapsed - last_plain_ < plain_interval_) return;
    last_plain_ = s.elapsed;
    std::fputs((render_line(s) + "\n").c_str(), out_);
    std::fflush(out_);
    return;
  }
  const std::string block = render_status(s, 20, terminal_width(out_) - 1);
  std::string frame;
  // Move up over the previous block and clear to the end of the screen, then draw.
  if (lines_drawn_ > 0) frame = "\x1b[" + std::to_string(lines_drawn_) + "F\x1b[J";
  frame += block;
  lines_drawn_ = static_cast<std::size_t>(std::count(block.begin(), block.end(), '\n'));
  std::fputs(frame.c_str(), out_);
  std::fflush(out_);
}

}  // namespace tuneq::ui
