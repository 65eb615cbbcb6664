#include "cli/app_version.hpp"

namespace tuneq::cli {

const char* version() {
  return "tuneq 0.1.0";
}

}  // namespace tuneq::cli
