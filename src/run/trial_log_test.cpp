#include "run/trial_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "run/child_process.hpp"

namespace tuneq::detail {
namespace {

TEST(TrialLog, TailTakesTheLastLines) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("tuneq-log-" + std::to_string(getpid()));
  struct Case {
    std::string content;
    std::size_t lines;
    std::string tail;
  };
  const Case cases[] = {
      {"", 3, ""},
      {"a\nb\nc\nd\n", 2, "c\nd"},
      {"a\nb\nc\nd", 2, "c\nd"},  // no final newline
      {"a\nb\n\n\n", 1, "b"},     // trailing blank lines do not count
      {"a\nb\n", 5, "a\nb"},      // fewer lines than asked
      {"\nonly\n", 5, "only"},    // a leading empty line is dropped
      {"a\nb\n", 0, ""},
      {"x\n\ny\n", 2, "\ny"},  // blank lines inside do count
  };
  for (const Case& c : cases) {
    {
      const UniqueFd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
      ASSERT_TRUE(fd);
      write_all(fd.get(), c.content);
    }
    EXPECT_EQ(log_tail(path, c.lines), c.tail) << c.content;
  }
  std::filesystem::remove(path);
  EXPECT_EQ(log_tail(path, 3), "");  // missing file
}

}  // namespace
}  // namespace tuneq::detail
