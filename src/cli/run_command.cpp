// tuneq run / tuneq resume: placeholders until the tuner loop can resume (see the issue notes).
#include "cli/command.hpp"

namespace tuneq::cli {

void register_run(CLI::App& app, Action& action) {
  (void)app, (void)action;
}
void register_resume(CLI::App& app, Action& action) {
  (void)app, (void)action;
}

}  // namespace tuneq::cli
