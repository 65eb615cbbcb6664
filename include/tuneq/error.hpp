// The one error type of tuneq. Every failure a user can see is an Error with a code and a message
// that names what was wrong (the parameter, key, file, line or trial). Thrown, and caught once at
// the top (the CLI's main, or the caller of the C++ API).
#pragma once

#include <stdexcept>
#include <string>

namespace tuneq {

class Error : public std::runtime_error {
 public:
  enum class Code {
    kInvalidArgument,     // bad configuration: a domain, an option, a spec value
    kNotFound,            // a named thing (trial, file, key) does not exist
    kIo,                  // the operating system refused (file, process, pipe)
    kCorruption,          // stored data is not what we wrote (event log, checkpoint)
    kFailedPrecondition,  // a call out of order (e.g. resuming a trial that is not paused)
  };

  static Error InvalidArgument(std::string msg) { return {Code::kInvalidArgument, std::move(msg)}; }
  static Error NotFound(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
  static Error Io(std::string msg) { return {Code::kIo, std::move(msg)}; }
  static Error Corruption(std::string msg) { return {Code::kCorruption, std::move(msg)}; }
  static Error FailedPrecondition(std::string msg) {
    return {Code::kFailedPrecondition, std::move(msg)};
  }

  Code code() const noexcept { return code_; }
  bool IsInvalidArgument() const noexcept { return code_ == Code::kInvalidArgument; }
  bool IsNotFound() const noexcept { return code_ == Code::kNotFound; }
  bool IsIo() const noexcept { return code_ == Code::kIo; }
  bool IsCorruption() const noexcept { return code_ == Code::kCorruption; }
  bool IsFailedPrecondition() const noexcept { return code_ == Code::kFailedPrecondition; }

 private:
  Error(Code code, std::string msg) : std::runtime_error(std::move(msg)), code_(code) {}
  Code code_;
};

}  // namespace tuneq
