// The line grammar shared by cupsd.conf and printers.conf: "Directive value",
// "<Section value>", "</Section>", "#" comments. Each line keeps its number.
#pragma once

#include "quire/config.hpp"

#include <expected>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace quire::conf {

struct Line {
  int number = 0;
  std::string directive;  // "Listen", or "<Printer" / "</Printer" for sections
  std::string value;      // the rest, trimmed; for "<Printer demo>" it is "demo"
  bool opens_section() const { return directive.size() > 1 && directive[0] == '<' && directive[1] != '/'; }
  bool closes_section() const { return directive.rfind("</", 0) == 0; }
  std::string section_name() const;  // "Printer" for "<Printer" and "</Printer"
};

std::expected<std::vector<Line>, ConfigDiagnostic> read_lines(const std::filesystem::path& file);
// The same from text already in memory; diagnostics name `file`.
std::expected<std::vector<Line>, ConfigDiagnostic> parse_lines(std::string_view text, const std::filesystem::path& file);

// Case-insensitive comparison, as CUPS compares directive names and keywords.
bool equals_ignoring_case(std::string_view a, std::string_view b);
// Splits a value at blanks: "Cancel-Job  Hold-Job" → {"Cancel-Job", "Hold-Job"}.
std::vector<std::string> split_words(std::string_view value);

// Yes/No/On/Off/True/False → bool; nullopt for anything else.
std::optional<bool> parse_bool(std::string_view word);

}  // namespace quire::conf
