// Control file parsing: one line at a time into a ControlFile, refusing anything
// malformed instead of guessing (cups-lpd queues an "anonymous" empty job from a
// control file without P or print lines; Quire refuses it).
#include "lpd/control_file.hpp"

#include <algorithm>
#include <charconv>

namespace quire::lpd {
namespace {

constexpr std::string_view kFormatLetters = "cdfglnoprtv";

struct Parser {
  ControlFile out;
  int line_number = 0;
  std::string last_file;                  // the data file a following N line names
  std::optional<std::string> pending_name;  // an N line that came before its print line

  LpdError malformed(std::string why) const {
    return {Refusal::kMalformedControlFile, "control file line " + std::to_string(line_number) + ": " + why};
  }

  std::optional<LpdError> take(std::string_view line);
  std::optional<LpdError> take_print_line(char letter, std::string_view file);
  void take_source_name(std::string_view name);
};

bool has_control_characters(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](unsigned char c) { return (c < 0x20 && c != '\t') || c == 0x7f; });
}

std::optional<int> parse_columns(std::string_view digits) {
  int value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty() || digits[0] == '-' ||
      value > 10000)
    return std::nullopt;
  return value;
}

std::optional<LpdError> Parser::take(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.empty()) return std::nullopt;  // blank lines some clients add at the end
  if (line.size() > kMaxControlLineBytes) return malformed("line too long");
  if (has_control_characters(line)) return malformed("control characters");
  const char letter = line[0];
  const std::string_view value = line.substr(1);
  const std::string text = to_utf8(value);
  if (is_format_letter(letter)) return take_print_line(letter, value);
  switch (letter) {
    case 'H': out.host = text; break;
    case 'P': out.user = text; break;
    case 'J': out.job_name = text; break;
    case 'T': out.title = text; break;
    case 'C': out.banner_class = text; break;
    case 'L': out.banner = text; break;
    case 'M': out.mail = text; break;
    case 'N': take_source_name(text); break;
    case 'I':
    case 'W': {
      auto columns = parse_columns(value);
      if (!columns) return malformed(std::string(1, letter) + " needs a number of columns");
      (letter == 'I' ? out.indent : out.width) = *columns;
      break;
    }
    case 'U':
      if (!is_safe_file_name(value))
        return LpdError{Refusal::kBadFileName, "control file line " + std::to_string(line_number) + ": unsafe file name"};
      out.unlink.emplace_back(value);
      last_file = std::string(value);
      break;
    case '1': case '2': case '3': case '4':
      out.troff_fonts[static_cast<std::size_t>(letter - '1')] = text;
      break;
    default:
      if (letter >= 'a' && letter <= 'z') return malformed(std::string("unknown format letter '") + letter + "'");
      if (letter < 'A' || letter > 'Z') return malformed("not a control file line");
      if (out.ignored.find(letter) == std::string::npos) out.ignored += letter;
  }
  return std::nullopt;
}

std::optional<LpdError> Parser::take_print_line(char letter, std::string_view file) {
  if (!is_safe_file_name(file))
    return LpdError{Refusal::kBadFileName, "control file line " + std::to_string(line_number) + ": unsafe file name"};
  if (out.prints.size() >= kMaxPrintLines) return malformed("too many print lines");
  out.prints.push_back({letter, std::string(file)});
  last_file = std::string(file);
  if (pending_name && !out.source_names.contains(last_file)) {
    out.source_names[last_file] = std::move(*pending_name);
    pending_name.reset();
  }
  return std::nullopt;
}

// BSD lpr and CUPS write N after the print and U lines of its file, LPRng before them.
void Parser::take_source_name(std::string_view name) {
  if (!last_file.empty() && !out.source_names.contains(last_file)) out.source_names[last_file] = std::string(name);
  else pending_name = std::string(name);
}

bool is_valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (length == 0 || i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k)
      if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return false;
    i += length;
  }
  return true;
}

}  // namespace

bool is_format_letter(char letter) { return kFormatLetters.find(letter) != std::string_view::npos && letter != 0; }

std::vector<std::string> ControlFile::data_files() const {
  std::vector<std::string> files;
  for (const PrintLine& p : prints)
    if (std::find(files.begin(), files.end(), p.data_file) == files.end()) files.push_back(p.data_file);
  return files;
}

bool ControlFile::names(std::string_view data_file) const {
  return std::any_of(prints.begin(), prints.end(), [&](const PrintLine& p) { return p.data_file == data_file; });
}

std::expected<ControlFile, LpdError> parse_control_file(std::string_view text) {
  Parser parser;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    ++parser.line_number;
    if (auto failure = parser.take(text.substr(start, end - start))) return std::unexpected(*failure);
    start = end + 1;
  }
  ControlFile& out = parser.out;
  auto refuse = [](std::string why) { return std::unexpected(LpdError{Refusal::kMalformedControlFile, why}); };
  if (out.host.empty()) return refuse("control file has no H (host) line");
  if (out.user.empty()) return refuse("control file has no P (user) line");
  if (out.prints.empty()) return refuse("control file prints no data file");
  return std::move(out);
}

std::string to_utf8(std::string_view text) {
  if (is_valid_utf8(text)) return std::string(text);
  std::string out;
  for (unsigned char c : text) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(0xc0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3f));
    }
  }
  return out;
}

}  // namespace quire::lpd
