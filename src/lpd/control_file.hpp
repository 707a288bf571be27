// The LPD control file (RFC 1179 §7): parsed into what it says, as a value. Pure; the
// translator decides what each line means in IPP.
#pragma once

#include "lpd/lpd_protocol.hpp"

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace quire::lpd {

inline constexpr std::size_t kMaxPrintLines = 1000;
inline constexpr std::size_t kMaxControlLineBytes = 1024;

// The lowercase letters that print a data file: c d f g l n o p r t v.
bool is_format_letter(char letter);

// One "print this data file" line, e.g. "fdfA123host".
struct PrintLine {
  char format = 'f';
  std::string data_file;
};

// Every text field is UTF-8 (ISO-8859-1 from old clients is converted).
struct ControlFile {
  std::string host;                  // H, required
  std::string user;                  // P, required
  std::string job_name;              // J
  std::string title;                 // T (title for pr)
  std::string banner_class;          // C
  std::optional<std::string> banner; // L: a banner page with this user name
  std::optional<std::string> mail;   // M: mail this user when the job is done
  std::optional<int> indent;         // I: columns
  std::optional<int> width;          // W: columns
  std::array<std::string, 4> troff_fonts;            // 1-4: R, I, B, S font files
  std::vector<PrintLine> prints;                      // in order; repeats are copies
  std::map<std::string, std::string> source_names;    // N, by data file
  std::vector<std::string> unlink;                    // U
  std::string ignored;               // uppercase letters of extensions we do not act on (LPRng's A, Q, Z...)

  // The data files the print lines name, each once, in order of first mention.
  std::vector<std::string> data_files() const;
  bool names(std::string_view data_file) const;
};

// Parses a whole control file. A malformed one (missing H or P, no print line, an
// unknown format letter, an unsafe file name, control characters, a non-numeric I or
// W, a line over kMaxControlLineBytes) is refused with kMalformedControlFile or
// kBadFileName and says which line.
std::expected<ControlFile, LpdError> parse_control_file(std::string_view text);

// `text` if it is valid UTF-8, else `text` read as ISO-8859-1.
std::string to_utf8(std::string_view text);

}  // namespace quire::lpd
