// Reads cupsd.conf-style files into numbered lines.
#include "config/conf_lines.hpp"

#include <strings.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace quire::conf {
namespace {

std::string trim(std::string_view s) {
  auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  auto last = s.find_last_not_of(" \t\r");
  return std::string(s.substr(first, last - first + 1));
}

std::expected<std::vector<Line>, ConfigDiagnostic> read_stream(std::istream& in, const std::filesystem::path& file) {
  std::vector<Line> lines;
  std::string raw;
  for (int number = 1; std::getline(in, raw); ++number) {
    std::string text = trim(raw);
    if (text.empty() || text[0] == '#') continue;
    Line line{number};
    if (text[0] == '<') {
      if (text.back() != '>')
        return std::unexpected(ConfigDiagnostic{file, number, "section line is missing its closing '>'", true});
      text = trim(std::string_view(text).substr(0, text.size() - 1));
    }
    auto space = text.find_first_of(" \t");
    line.directive = text.substr(0, space);
    if (space != std::string::npos) line.value = trim(std::string_view(text).substr(space));
    lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace

std::string Line::section_name() const {
  std::size_t skip = closes_section() ? 2 : 1;
  return directive.size() > skip ? directive.substr(skip) : std::string();
}

std::expected<std::vector<Line>, ConfigDiagnostic> read_lines(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return std::unexpected(ConfigDiagnostic{file, 0, std::strerror(errno), true});
  return read_stream(in, file);
}

std::expected<std::vector<Line>, ConfigDiagnostic> parse_lines(std::string_view text, const std::filesystem::path& file) {
  std::istringstream in{std::string(text)};
  return read_stream(in, file);
}

std::optional<bool> parse_bool(std::string_view word) {
  auto is = [&](const char* w) { return strcasecmp(std::string(word).c_str(), w) == 0; };
  if (is("yes") || is("on") || is("true")) return true;
  if (is("no") || is("off") || is("false")) return false;
  return std::nullopt;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::vector<std::string> split_words(std::string_view value) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < value.size()) {
    while (i < value.size() && std::isspace(static_cast<unsigned char>(value[i]))) ++i;
    std::size_t start = i;
    while (i < value.size() && !std::isspace(static_cast<unsigned char>(value[i]))) ++i;
    if (i > start) words.emplace_back(value.substr(start, i - start));
  }
  return words;
}

}  // namespace quire::conf

std::string quire::ConfigDiagnostic::to_string() const {
  std::string where = file.string();
  if (line > 0) where += ":" + std::to_string(line);
  return where + ": " + message;
}
