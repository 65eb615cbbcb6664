// The version of tuneq, as the command prints it and the event log records it.
#pragma once

namespace tuneq {

inline constexpr const char* kVersion = "tuneq 0.1.0";

}  // namespace tuneq
