// Status lines on stderr and discovery lines on stdout, in CUPS's formats.
#include "backend_status.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace quire::backend {
namespace {

// Keeps a message on one line: the scheduler splits stderr on '\n'.
std::string one_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) out += (c == '\n' || c == '\r') ? ' ' : c;
  return out;
}

void write_line(std::string_view prefix, std::string_view message) {
  std::string line;
  line.reserve(prefix.size() + message.size() + 1);
  line += prefix;
  line += one_line(message);
  line += '\n';
  const char* p = line.data();
  std::size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // stderr gone: nothing sensible left to report to
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

void append_quoted(std::string& out, std::string_view s) {
  out += " \"";
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    unsigned char u = static_cast<unsigned char>(c);
    out += ((u < ' ' && c != '\t') || u == 0x7f) ? ' ' : c;
  }
  out += '"';
}

}  // namespace

void report_line(std::string_view line) { write_line("", line); }

void report_state(std::string_view reasons) { write_line("STATE: ", reasons); }
void report_info(std::string_view message) { write_line("INFO: ", message); }
void report_warning(std::string_view message) { write_line("WARNING: ", message); }
void report_error(std::string_view message) { write_line("ERROR: ", message); }
void report_debug(std::string_view message) { write_line("DEBUG: ", message); }
void report_attr(std::string_view name_equals_value) { write_line("ATTR: ", name_equals_value); }

void report_page(int page, int copies) {
  write_line("PAGE: ", std::to_string(page) + " " + std::to_string(copies));
}

void report_errno(std::string_view what, int err) {
  write_line("ERROR: ", std::string(what) + ": " + std::strerror(err));
}

void report_device(std::string_view device_class, std::string_view uri,
                   std::string_view make_and_model, std::string_view info,
                   std::string_view device_id, std::string_view location) {
  std::string line(device_class);
  line += ' ';
  line += uri;
  append_quoted(line, make_and_model.empty() ? std::string_view("Unknown") : make_and_model);
  append_quoted(line, info);
  append_quoted(line, device_id);
  append_quoted(line, location);
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
}

}  // namespace quire::backend
