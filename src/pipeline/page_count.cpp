// Page counting per document type; see page_count.hpp for the order of methods.
#include "pipeline/page_count.hpp"

#include "pipeline/child_process.hpp"

#include <cups/raster.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

extern char** environ;

namespace quire {
namespace {

struct MappedFile {
  int fd = -1;
  const char* data = nullptr;
  std::size_t size = 0;
  ~MappedFile() {
    if (data && size) ::munmap(const_cast<char*>(data), size);
    if (fd >= 0) ::close(fd);
  }
};

std::expected<void, std::string> map_file(const std::filesystem::path& file, MappedFile& m) {
  m.fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (m.fd < 0) return std::unexpected(file.string() + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(m.fd, &st) != 0) return std::unexpected(file.string() + ": " + std::strerror(errno));
  m.size = static_cast<std::size_t>(st.st_size);
  if (m.size == 0) return {};
  void* p = ::mmap(nullptr, m.size, PROT_READ, MAP_PRIVATE, m.fd, 0);
  if (p == MAP_FAILED) return std::unexpected(file.string() + ": mmap: " + std::strerror(errno));
  m.data = static_cast<const char*>(p);
  return {};
}

// Runs a program and returns what it printed on stderr and stdout (stdout to a pipe
// through a temporary file would be simpler; output here is tiny).
std::expected<std::pair<int, std::string>, std::string> run_capture(std::vector<std::string> argv, bool want_stderr) {
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return std::unexpected(std::string("pipe: ") + std::strerror(errno));
  SpawnSpec spec;
  spec.path = argv[0];
  spec.argv = std::move(argv);
  for (char** e = environ; *e; ++e) spec.env.emplace_back(*e);
  spec.stdout_fd = out[1];
  spec.process_group = ::getpgrp();
  auto child = spawn_process(spec);
  ::close(out[1]);
  if (!child) {
    ::close(out[0]);
    return std::unexpected(child.error());
  }
  int read_fd = want_stderr ? child->stderr_fd : out[0];
  ::fcntl(read_fd, F_SETFL, ::fcntl(read_fd, F_GETFL) & ~O_NONBLOCK);
  std::string text;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(read_fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (text.size() < (1u << 20)) text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(out[0]);
  ::close(child->stderr_fd);
  ::close(child->pidfd);
  int status = reap_process(child->pid);
  return std::make_pair(status, text);
}

std::expected<PageCount, std::string> count_with_ghostscript(const std::filesystem::path& file, const std::string& gs) {
  auto result = run_capture({gs, "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=nullpage", "-c",
                             "<< /EndPage { exch pop 2 ne dup { (%stderr) (w) file dup (QUIRE-PAGE\\n) writestring "
                             "flushfile } if } >> setpagedevice",
                             "-f", file.string()},
                            true);
  if (!result) return std::unexpected(result.error());
  int pages = 0;
  for (std::size_t at = 0; (at = result->second.find("QUIRE-PAGE\n", at)) != std::string::npos; at += 11) ++pages;
  if (result->first != 0) return std::unexpected("Ghostscript failed on the document (" + describe_wait_status(result->first) + ")");
  return PageCount{pages, "gs-nullpage"};
}

std::expected<PageCount, std::string> count_pdf(const std::filesystem::path& file, const std::string& qpdf) {
  auto result = run_capture({qpdf, "--show-npages", file.string()}, false);
  if (!result) return std::unexpected(result.error());
  int pages = std::atoi(result->second.c_str());
  // qpdf exits 3 for warnings (a repaired file) and still counts.
  if ((result->first != 0 && result->first != (3 << 8)) || pages <= 0)
    return std::unexpected("qpdf cannot read the PDF (" + describe_wait_status(result->first) + ")");
  return PageCount{pages, "qpdf"};
}

std::expected<PageCount, std::string> count_raster(const std::filesystem::path& file) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::unexpected(file.string() + ": " + std::strerror(errno));
  cups_raster_t* r = cupsRasterOpen(fd, CUPS_RASTER_READ);
  if (!r) {
    ::close(fd);
    return std::unexpected("not a raster stream");
  }
  cups_page_header2_t header;
  int pages = 0;
  std::vector<unsigned char> line;
  while (cupsRasterReadHeader2(r, &header)) {
    line.resize(header.cupsBytesPerLine);
    for (unsigned y = 0; y < header.cupsHeight; ++y)
      if (cupsRasterReadPixels(r, line.data(), header.cupsBytesPerLine) != header.cupsBytesPerLine) break;
    ++pages;
  }
  cupsRasterClose(r);
  ::close(fd);
  return PageCount{pages, "raster"};
}

}  // namespace

int count_dsc_pages(std::string_view ps) {
  if (!ps.starts_with("%!PS-Adobe-")) return 0;
  int declared = 0;
  int found = 0;
  int nesting = 0;
  std::size_t at = 0;
  while (at < ps.size()) {
    std::size_t end = ps.find_first_of("\r\n", at);
    if (end == std::string_view::npos) end = ps.size();
    std::string_view line = ps.substr(at, end - at);
    at = end + 1;
    if (line.size() < 3 || line[0] != '%' || line[1] != '%') continue;
    if (line.starts_with("%%BeginDocument")) ++nesting;
    else if (line.starts_with("%%EndDocument")) nesting = nesting > 0 ? nesting - 1 : 0;
    else if (nesting > 0) continue;
    else if (line.starts_with("%%Page:")) ++found;
    else if (line.starts_with("%%Pages:")) {
      auto value = line.substr(8);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      if (!value.starts_with("(atend)")) declared = std::atoi(std::string(value).c_str());
    }
  }
  return declared > 0 && declared == found ? found : 0;
}

std::expected<PageCount, std::string> count_pages(const std::filesystem::path& file, std::string_view type,
                                                  const std::string& gs, const std::string& qpdf) {
  if (type == "application/pdf" || type == "application/vnd.cups-pdf") return count_pdf(file, qpdf);
  if (type == "image/pwg-raster" || type == "application/vnd.cups-raster") return count_raster(file);
  if (type.starts_with("image/") && type != "image/urf" && type != "image/x-eps") return PageCount{1, "image"};
  MappedFile m;
  if (auto mapped = map_file(file, m); !mapped) return std::unexpected(mapped.error());
  std::string_view bytes(m.data ? m.data : "", m.size);
  if (type == "image/urf") {
    if (bytes.size() < 12 || !bytes.starts_with(std::string_view("UNIRAST\0", 8))) return std::unexpected("not a URF stream");
    auto u = [&](std::size_t i) { return static_cast<unsigned>(static_cast<unsigned char>(bytes[i])); };
    return PageCount{static_cast<int>(u(8) << 24 | u(9) << 16 | u(10) << 8 | u(11)), "urf"};
  }
  if (type == "application/postscript" || type == "image/x-eps" || type == "application/vnd.cups-postscript") {
    if (int pages = count_dsc_pages(bytes); pages > 0) return PageCount{pages, "dsc"};
    return count_with_ghostscript(file, gs);
  }
  return std::unexpected("cannot count pages of " + std::string(type));
}

}  // namespace quire
