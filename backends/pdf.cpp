// pdf backend: the virtual PDF printer ("print to PDF"). Each job becomes one new PDF
// file in its user's directory (quire-pdf.conf's Directory, e.g. ${HOME}/PDF), named
// after the job's title and id, written with the user's rights. The queue's driver
// makes the PDF (Driver quire/generic-pdf); PostScript is converted here with
// Ghostscript, so the backend also serves PostScript queues and CUPS. Anything else is
// refused: a file that is not a PDF is never left behind. Exit codes: docs/backends.md.
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "common/backend_process.hpp"
#include "common/backend_status.hpp"
#include "common/job_args.hpp"
#include "common/pdf_destination.hpp"

namespace qb = quire::backend;
using qb::ExitCode;

namespace {

enum class Format { kPdf, kPostScript, kOther };
enum class Outcome { kDone, kCanceled, kFailed };

Format format_of(std::string_view head) {
  if (head.starts_with("%PDF-")) return Format::kPdf;
  if (head.starts_with("%!") || head.starts_with("\x04%!")) return Format::kPostScript;
  return Format::kOther;
}

// Waits until `fd` is ready for `events` or SIGTERM arrives (false). Polling the
// cancel pipe closes the window in which a signal lands just before a blocking call.
bool wait_ready(int fd, short events) {
  for (;;) {
    pollfd fds[2] = {{fd, events, 0}, {qb::cancel_fd(), POLLIN, 0}};
    int n = ::poll(fds, 2, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || qb::cancel_requested()) return false;
    if (fds[0].revents) return true;
  }
}

// Reads into `buf` until it holds `want` bytes or the input ends. -1: error or SIGTERM.
ssize_t read_some(int fd, std::vector<char>& buf, std::size_t want) {
  std::size_t have = buf.size();
  buf.resize(want);
  while (have < want) {
    if (!wait_ready(fd, POLLIN)) return -1;
    ssize_t n = ::read(fd, buf.data() + have, want - have);
    if (n == 0) break;
    if (n < 0 && errno == EINTR && !qb::cancel_requested()) continue;
    if (n < 0) return -1;
    have += static_cast<std::size_t>(n);
  }
  buf.resize(have);
  return static_cast<ssize_t>(have);
}

bool write_all(int fd, const char* data, std::size_t n) {
  while (n > 0) {
    if (!wait_ready(fd, POLLOUT)) return false;
    ssize_t w = ::write(fd, data, n);
    if (w < 0 && errno == EINTR && !qb::cancel_requested()) continue;
    if (w <= 0) return false;
    data += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

// Copies `head` and the rest of `in` to `out`; false on a read or write error.
bool copy_input(const std::vector<char>& head, int in, int out, std::string* tail) {
  if (!write_all(out, head.data(), head.size())) return false;
  std::vector<char> buf;
  *tail = std::string(head.data(), head.size());
  for (;;) {
    buf.clear();
    ssize_t n = read_some(in, buf, 65536);
    if (n < 0) return false;
    if (n == 0) break;
    if (!write_all(out, buf.data(), buf.size())) return false;
    tail->append(buf.data(), buf.size());
    if (tail->size() > 2048) tail->erase(0, tail->size() - 1024);
  }
  return true;
}

Outcome write_pdf(const std::vector<char>& head, int in, int out) {
  std::string tail;
  if (!copy_input(head, in, out, &tail)) {
    if (qb::cancel_requested()) return Outcome::kCanceled;
    qb::report_errno("Unable to write the PDF file", errno);
    return Outcome::kFailed;
  }
  if (tail.find("%%EOF") == std::string::npos) {
    qb::report_error("The document is not a complete PDF file (no %%EOF at its end).");
    return Outcome::kFailed;
  }
  return Outcome::kDone;
}

// Ghostscript (pdfwrite) reads the PostScript from a pipe and writes `out`.
Outcome convert_postscript(const std::vector<char>& head, int in, int out) {
  int to_gs[2];
  if (::pipe2(to_gs, O_CLOEXEC) != 0) return qb::report_errno("pipe", errno), Outcome::kFailed;
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(to_gs[0], 0);
    ::dup2(out, 1);
    const char* argv[] = {"gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pdfwrite", "-sstdout=%stderr",
                          "-sOutputFile=%stdout", "-", nullptr};
    ::execvp("gs", const_cast<char**>(argv));
    ::execv("/usr/bin/gs", const_cast<char**>(argv));
    ::_exit(127);
  }
  ::close(to_gs[0]);
  if (pid < 0) return ::close(to_gs[1]), qb::report_errno("fork", errno), Outcome::kFailed;
  std::string tail;
  bool fed = copy_input(head, in, to_gs[1], &tail);
  ::close(to_gs[1]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR)
    if (qb::cancel_requested()) ::kill(pid, SIGTERM);
  if (qb::cancel_requested()) return Outcome::kCanceled;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !fed) {
    qb::report_error(WIFEXITED(status) && WEXITSTATUS(status) == 127
                         ? "Ghostscript (gs) is not installed: PostScript cannot become PDF."
                         : "Ghostscript could not convert the PostScript document to PDF.");
    return Outcome::kFailed;
  }
  char magic[5] = {};
  if (::pread(out, magic, sizeof magic, 0) != 5 || std::memcmp(magic, "%PDF-", 5) != 0) {
    qb::report_error("Ghostscript produced no PDF.");
    return Outcome::kFailed;
  }
  return Outcome::kDone;
}

// The user's directory and a new file in it; from here on the process runs as the user.
struct Destination {
  qb::UniqueFd dir;
  qb::CreatedFile file;
  std::string path;
};

std::expected<Destination, std::string> open_destination(const std::string& pattern, const qb::JobArgs& args) {
  auto account = qb::find_account(args.user);
  auto directory = qb::expand_directory(pattern, account);
  if (!directory) return std::unexpected("No PDF directory for " + args.user + ": " + directory.error());
  auto dir = qb::open_user_directory(pattern, *directory, account);
  if (!dir) return std::unexpected("PDF directory: " + dir.error());
  auto file = qb::create_unique_file(dir->get(), args.title, args.job_id);
  if (!file) return std::unexpected(*directory + ": " + file.error());
  std::string path = *directory + "/" + file->name;
  return Destination{std::move(*dir), std::move(*file), std::move(path)};
}

ExitCode print(const qb::JobArgs& args) {
  const char* root = std::getenv("CUPS_SERVERROOT");
  auto config = qb::load_pdf_config(root && *root ? root : "/etc/cups");
  if (!config) {
    qb::report_error(config.error());
    return ExitCode::kStop;  // the queue is misconfigured: retrying cannot help
  }
  auto input = qb::open_print_data(args);
  if (!input) return qb::report_error(input.error()), ExitCode::kFailed;
  std::vector<char> head;
  if (read_some(input->get(), head, 4096) < 0)
    return qb::cancel_requested() ? ExitCode::kOk : (qb::report_errno("Unable to read the print data", errno), ExitCode::kFailed);
  Format format = format_of(std::string_view(head.data(), head.size()));
  if (format == Format::kOther) {
    qb::report_error(head.empty() ? "The job has no data." :
                     "The PDF printer received data that is neither PDF nor PostScript: give the queue a driver "
                     "that makes PDF (Driver quire/generic-pdf) and do not print raw.");
    return ExitCode::kFailed;
  }
  auto out = open_destination(config->directory, args);
  if (!out) return qb::report_error(out.error()), ExitCode::kFailed;
  qb::report_info("Writing " + out->path);
  Outcome outcome = format == Format::kPdf ? write_pdf(head, input->get(), out->file.fd.get())
                                           : convert_postscript(head, input->get(), out->file.fd.get());
  if (outcome == Outcome::kDone && ::fsync(out->file.fd.get()) != 0) {
    qb::report_errno("Unable to write " + out->path, errno);
    outcome = Outcome::kFailed;
  }
  if (outcome != Outcome::kDone) {
    ::unlinkat(out->dir.get(), out->file.name.c_str(), 0);  // no half-written PDF stays behind
    return outcome == Outcome::kCanceled ? ExitCode::kOk : ExitCode::kFailed;
  }
  qb::report_info("Saved " + out->path);
  return ExitCode::kOk;
}

}  // namespace

int main(int argc, char** argv) {
  qb::start_backend();
  if (qb::is_discovery(argc)) {
    qb::report_device("file", "pdf:/", "Quire Virtual PDF Printer", "Print to PDF (a file per job)",
                      "MFG:Quire;MDL:Virtual PDF Printer;CMD:PDF;", "");
    return qb::to_int(ExitCode::kOk);
  }
  auto args = qb::parse_job_args(argc, argv, /*resolve_dnssd=*/false);
  if (!args) {
    qb::report_error(args.error());
    return qb::to_int(ExitCode::kFailed);
  }
  return qb::to_int(print(*args));
}
