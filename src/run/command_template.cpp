// Command templates: "python3 train.py --lr {lr} --name 'run {id}'" -> argv.
//
// Splitting follows the shell's quoting rules, and nothing else of the shell:
//   - unquoted blanks (space, tab, newline) separate words;
//   - '...' keeps everything literally up to the next single quote;
//   - "..." keeps everything literally except \" \\ \$ \` and backslash-newline;
//   - an unquoted backslash makes the next character literal (backslash-newline joins lines);
//   - '' or "" makes an empty word.
// There is no variable, glob, tilde or command expansion, and no operators (; | && > ...): those
// characters are ordinary. Braces belong to tuneq, in every quoting context: {name} is a
// placeholder for the config value `name`, {{ and }} are literal braces. A brace escaped by a
// backslash outside quotes is literal too. A substituted value becomes part of the word it
// stands in, never more words, so a value can never inject arguments or shell code.
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "tuneq/error.hpp"
#include "tuneq/process.hpp"

namespace tuneq {
namespace {

// One run of literal text or one placeholder inside a word.
struct Piece {
  bool placeholder = false;
  std::string text;  // the literal text, or the placeholder's name
};
using Word = std::vector<Piece>;

class TemplateParser {
 public:
  explicit TemplateParser(std::string_view command) : command_(command) {}

  std::vector<Word> parse() {
    if (command_.find_first_not_of(" \t\n") == std::string_view::npos) {
      throw Error::InvalidArgument("command template is empty");
    }
    while (pos_ < command_.size()) {
      const char c = command_[pos_];
      if (c == ' ' || c == '\t' || c == '\n') {
        end_word();
        ++pos_;
      } else if (c == '\'') {
        single_quoted();
      } else if (c == '"') {
        double_quoted();
      } else if (c == '\\') {
        if (pos_ + 1 >= command_.size()) fail("ends with a lone backslash", pos_);
        if (command_[pos_ + 1] != '\n') literal(command_[pos_ + 1]);  // else: line continuation
        pos_ += 2;
      } else {
        plain_or_brace();
      }
    }
    end_word();
    return std::move(words_);
  }

 private:
  void single_quoted() {
    const std::size_t open = pos_++;
    in_word_ = true;
    while (true) {
      if (pos_ >= command_.size()) fail("has an unbalanced single quote", open);
      if (command_[pos_] == '\'') break;
      plain_or_brace();
    }
    ++pos_;
  }

  void double_quoted() {
    const std::size_t open = pos_++;
    in_word_ = true;
    while (true) {
      if (pos_ >= command_.size()) fail("has an unbalanced double quote", open);
      const char c = command_[pos_];
      if (c == '"') break;
      if (c == '\\' && pos_ + 1 < command_.size() &&
          std::string_view("\"\\$`\n").find(command_[pos_ + 1]) != std::string_view::npos) {
        if (command_[pos_ + 1] != '\n') literal(command_[pos_ + 1]);
        pos_ += 2;
      } else {
        plain_or_brace();
      }
    }
    ++pos_;
  }

  // An ordinary character, "{{", "}}" or a {name} placeholder at pos_.
  void plain_or_brace() {
    const char c = command_[pos_];
    const bool doubled = pos_ + 1 < command_.size() && command_[pos_ + 1] == c;
    if (c == '}') {
      if (!doubled) fail("has an unmatched '}' (write '}}' for a literal brace)", pos_);
      literal('}');
      pos_ += 2;
    } else if (c == '{' && doubled) {
      literal('{');
      pos_ += 2;
    } else if (c == '{') {
      const std::size_t close = command_.find_first_of("{}'\" \t\n\\", pos_ + 1);
      if (close == std::string_view::npos || command_[close] != '}') {
        fail("has an unclosed '{' (write '{{' for a literal brace)", pos_);
      }
      if (close == pos_ + 1) fail("has an empty placeholder '{}'", pos_);
      in_word_ = true;
      word_.push_back({true, std::string(command_.substr(pos_ + 1, close - pos_ - 1))});
      pos_ = close + 1;
    } else {
      literal(c);
      ++pos_;
    }
  }

  void literal(char c) {
    in_word_ = true;
    if (word_.empty() || word_.back().placeholder) word_.push_back({false, {}});
    word_.back().text += c;
  }

  void end_word() {
    if (in_word_) {
      if (word_.empty()) word_.push_back({false, {}});  // '' or "": an empty argument
      words_.push_back(std::move(word_));
    }
    word_.clear();
    in_word_ = false;
  }

  [[noreturn]] void fail(std::string_view what, std::size_t at) const {
    throw Error::InvalidArgument(
        fmt::format("command template {} at column {}: {}", what, at + 1, command_));
  }

  std::string_view command_;
  std::size_t pos_ = 0;
  std::vector<Word> words_;
  Word word_;
  bool in_word_ = false;  // the current word has begun (possibly as an empty quoted string)
};

std::string parameter_names(const Config& config) {
  std::string names;
  for (const auto& entry : config) {
    if (!names.empty()) names += ", ";
    names += entry.first;
  }
  return names.empty() ? "none" : names;
}

}  // namespace

std::vector<std::string> expand_command(const std::string& command, const Config& config) {
  std::vector<std::string> argv;
  for (const Word& word : TemplateParser(command).parse()) {
    std::string arg;
    for (const Piece& piece : word) {
      if (!piece.placeholder) {
        arg += piece.text;
        continue;
      }
      const auto value = config.find(piece.text);
      if (value == config.end()) {
        throw Error::InvalidArgument(
            fmt::format("command template uses {{{}}}, which is not a parameter of the config "
                        "(parameters: {}): {}",
                        piece.text, parameter_names(config), command));
      }
      arg += value->second.to_string();
    }
    argv.push_back(std::move(arg));
  }
  return argv;
}

std::vector<std::string> command_placeholders(const std::string& command) {
  std::vector<std::string> names;
  for (const Word& word : TemplateParser(command).parse()) {
    for (const Piece& piece : word) {
      if (!piece.placeholder) continue;
      bool seen = false;
      for (const std::string& name : names) seen = seen || name == piece.text;
      if (!seen) names.push_back(piece.text);
    }
  }
  return names;
}

}  // namespace tuneq
