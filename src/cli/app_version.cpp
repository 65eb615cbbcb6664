#include "cli/app_version.hpp"

#include "tuneq/version.hpp"

namespace tuneq::cli {

const char* version() {
  return kVersion;
}

}  // namespace tuneq::cli
