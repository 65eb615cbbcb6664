#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tuneq/error.hpp"
#include "tuneq/process.hpp"

namespace tuneq {
namespace {

using Args = std::vector<std::string>;

const Config kConfig = {
    {"lr", Value(0.001)},
    {"layers", Value(3)},
    {"opt", Value("adam")},
    {"norm", Value(true)},
    {"name", Value("x; touch PWNED")},
    {"empty", Value("")},
    {"big", Value(1e20)},
    {"one", Value(1.0)},
};

TEST(CommandTemplate, SplitsQuotesAndSubstitutes) {
  struct Case {
    std::string command;
    Args argv;
  };
  const Case cases[] = {
      {"train", {"train"}},
      {"  python3   train.py\t--lr {lr}\n", {"python3", "train.py", "--lr", "0.001"}},
      {"t --layers={layers} --opt {opt} --norm {norm}",
       {"t", "--layers=3", "--opt", "adam", "--norm", "true"}},
      // Floats in shortest round-trip form: 1e20 and 1.0 as Value::to_string writes them.
      {"t {big} {one}", {"t", "1e+20", "1"}},
      // A value is one argument, whatever it contains: no splitting, no shell.
      {"t {name}", {"t", "x; touch PWNED"}},
      {"t {empty}", {"t", ""}},
      {"t pre{opt}post {lr}{layers}", {"t", "preadampost", "0.0013"}},
      // Quotes: single keep everything, double keep all but a few escapes; both may be empty.
      {"t 'a b' \"c d\" '' \"\"", {"t", "a b", "c d", "", ""}},
      {"t 'it'\\''s' \"say \\\"hi\\\" \\\\ \\n\"", {"t", "it's", "say \"hi\" \\ \\n"}},
      {"t a\\ b \\'q\\' \\\\", {"t", "a b", "'q'", "\\"}},
      {"t one\\\ntwo", {"t", "onetwo"}},                                // backslash-newline joins
      {"t $HOME ~ *.py ; rm", {"t", "$HOME", "~", "*.py", ";", "rm"}},  // nothing expands
      // Placeholders work inside quotes; doubled braces and escaped braces are literal.
      {"t '--opt={opt}' \"{lr} x\"", {"t", "--opt=adam", "0.001 x"}},
      {"t {{lr}} '{{x}}' \\{opt\\}", {"t", "{lr}", "{x}", "{opt}"}},
      {"sh -c 'echo ${{HOME}}' {opt}", {"sh", "-c", "echo ${HOME}", "adam"}},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(expand_command(c.command, kConfig), c.argv) << c.command;
  }
}

TEST(CommandTemplate, RejectsMalformedTemplatesNamingTheProblem) {
  struct Case {
    std::string command;
    std::string message;
  };
  const Case cases[] = {
      {"", "command template is empty"},
      {" \t", "command template is empty"},
      {"t 'abc", "command template has an unbalanced single quote at column 3: t 'abc"},
      {"t \"a\\\"", "command template has an unbalanced double quote at column 3: t \"a\\\""},
      {"t \\", "command template ends with a lone backslash at column 3: t \\"},
      {"t {lr",
       "command template has an unclosed '{' (write '{{' for a literal brace) at "
       "column 3: t {lr"},
      {"t {l r}",
       "command template has an unclosed '{' (write '{{' for a literal brace) at "
       "column 3: t {l r}"},
      {"t lr}",
       "command template has an unmatched '}' (write '}}' for a literal brace) at "
       "column 5: t lr}"},
      {"t {}", "command template has an empty placeholder '{}' at column 3: t {}"},
      {"t {momentum}",
       "command template uses {momentum}, which is not a parameter of the config (parameters: "
       "big, empty, layers, lr, name, norm, one, opt): t {momentum}"},
  };
  for (const Case& c : cases) {
    try {
      (void)expand_command(c.command, kConfig);
      ADD_FAILURE() << "no error for: " << c.command;
    } catch (const Error& e) {
      EXPECT_TRUE(e.IsInvalidArgument());
      EXPECT_EQ(std::string(e.what()), c.message);
    }
  }
}

TEST(CommandTemplate, MissingParameterWithAnEmptyConfig) {
  try {
    (void)expand_command("t {lr}", {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "command template uses {lr}, which is not a parameter of the config "
              "(parameters: none): t {lr}");
  }
}

TEST(CommandTemplate, PlaceholdersInOrderOfFirstAppearance) {
  struct Case {
    std::string command;
    Args names;
  };
  const Case cases[] = {
      {"train", {}},
      {"t {lr} --b {batch} {lr} x{opt}y", {"lr", "batch", "opt"}},
      {"t {{lr}} '{a}' \"{b}\" \\{c\\}", {"a", "b"}},
      {"t {model.lr} {drop-out}", {"model.lr", "drop-out"}},
  };
  for (const Case& c : cases) EXPECT_EQ(command_placeholders(c.command), c.names) << c.command;
  EXPECT_THROW((void)command_placeholders("t 'x"), Error);
}

}  // namespace
}  // namespace tuneq
