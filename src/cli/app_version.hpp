// The version string the command prints and the store records in its meta table.
#pragma once

namespace tuneq::cli {

const char* version();  // "tuneq 0.1.0"

}  // namespace tuneq::cli
