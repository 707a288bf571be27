// The pdf backend's destination: configuration, directory pattern, file names, and
// creating them with the job owner's rights.
#include "common/pdf_destination.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

namespace quire::backend {
namespace {

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  return std::string(s.substr(b, s.find_last_not_of(" \t\r") - b + 1));
}

std::string errno_text(const std::string& what, int err) { return what + ": " + std::strerror(err); }

bool is_safe_component(std::string_view s) {
  if (s.empty() || s.size() > 255 || s == "." || s == "..") return false;
  for (unsigned char c : s)
    if (c == '/' || c < 0x20 || c == 0x7f) return false;
  return true;
}

// The directories above the first variable: the administrator's part of the pattern.
std::string literal_base(std::string_view pattern) {
  auto var = pattern.find("${");
  auto slash = pattern.substr(0, var).rfind('/');
  if (slash == std::string_view::npos || slash == 0) return {};
  std::string base = std::filesystem::path(pattern.substr(0, slash)).lexically_normal().string();
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  return base == "/" ? std::string() : base;
}

// Length of the valid UTF-8 sequence at s[i], or 0.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return 0;
  return n;
}

std::string_view without_document_extension(std::string_view name) {
  static constexpr std::string_view kExtensions[] = {".pdf", ".ps", ".eps", ".txt", ".text", ".jpg", ".jpeg",
                                                     ".png", ".tif", ".tiff", ".pwg", ".prn", ".pcl"};
  for (auto ext : kExtensions) {
    if (name.size() <= ext.size()) continue;
    auto tail = name.substr(name.size() - ext.size());
    if (std::equal(tail.begin(), tail.end(), ext.begin(), [](char a, char b) { return std::tolower(a) == b; }))
      return name.substr(0, name.size() - ext.size());
  }
  return name;
}

std::expected<void, std::string> drop_privileges(const PdfAccount& account) {
  if (::initgroups(account.name.c_str(), account.gid) != 0) return std::unexpected(errno_text("initgroups", errno));
  if (::setgid(account.gid) != 0) return std::unexpected(errno_text("setgid", errno));
  if (::setuid(account.uid) != 0) return std::unexpected(errno_text("setuid", errno));
  if (account.uid != 0 && ::setuid(0) == 0) return std::unexpected(std::string("could not give up root"));
  return {};
}

// Root's part: the administrator's directories, and the user's own directory in them.
std::expected<void, std::string> prepare_as_root(const std::string& base, const std::string& directory,
                                                 const PdfAccount& account) {
  if (base.empty()) return {};
  if (!directory.starts_with(base + "/")) return std::unexpected(directory + " is not below " + base);
  std::error_code ec;
  ::umask(022);
  std::filesystem::create_directories(base, ec);
  if (ec) return std::unexpected("cannot create " + base + ": " + ec.message());
  auto rest = std::string_view(directory).substr(base.size() + 1);
  std::string own = base + "/" + std::string(rest.substr(0, rest.find('/')));
  if (::mkdir(own.c_str(), 0700) != 0 && errno != EEXIST) return std::unexpected(errno_text("cannot create " + own, errno));
  UniqueFd fd(::open(own.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return std::unexpected(errno_text("cannot open " + own, errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) == 0 && st.st_uid == 0 && account.uid != 0 &&
      ::fchown(fd.get(), account.uid, account.gid) != 0)
    return std::unexpected(errno_text("cannot give " + own + " to " + account.name, errno));
  return {};
}

}  // namespace

std::expected<PdfConfig, std::string> load_pdf_config(const std::string& server_root) {
  PdfConfig config;
  std::string path = server_root + "/" + std::string(kPdfConfigName);
  std::ifstream in(path);
  if (!in) return config;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    std::string text = trim(line);
    if (text.empty() || text[0] == '#') continue;
    auto space = text.find_first_of(" \t");
    std::string directive = text.substr(0, space);
    std::string value = space == std::string::npos ? "" : trim(text.substr(space));
    std::string where = path + ":" + std::to_string(number) + ": ";
    if (directive != "Directory") return std::unexpected(where + "unknown directive \"" + directive + "\"");
    if (value.find("${USER}") == std::string::npos && value.find("${HOME}") == std::string::npos)
      return std::unexpected(where + "Directory must name ${USER} or ${HOME} (one directory per user)");
    config.directory = value;
  }
  return config;
}

PdfAccount find_account(const std::string& user) {
  PdfAccount account;
  account.name = user;
  std::vector<char> buffer(16384);
  struct passwd pw {}, *found = nullptr;
  if (::getpwnam_r(user.c_str(), &pw, buffer.data(), buffer.size(), &found) == 0 && found) {
    account.uid = pw.pw_uid;
    account.gid = pw.pw_gid;
    account.home = pw.pw_dir ? pw.pw_dir : "";
    account.known = true;
  }
  return account;
}

std::expected<std::string, std::string> expand_directory(std::string_view pattern, const PdfAccount& account) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size();) {
    if (pattern.substr(i, 2) != "${") {
      out += pattern[i++];
      continue;
    }
    auto end = pattern.find('}', i);
    if (end == std::string_view::npos) return std::unexpected("unterminated ${ in " + std::string(pattern));
    auto name = pattern.substr(i + 2, end - i - 2);
    if (name == "USER") {
      if (!is_safe_component(account.name))
        return std::unexpected("user name \"" + account.name + "\" cannot name a directory");
      out += account.name;
    } else if (name == "HOME") {
      if (!account.known || account.home.empty() || account.home[0] != '/')
        return std::unexpected("user " + account.name + " has no home directory");
      out += account.home;
    } else {
      return std::unexpected("unknown variable ${" + std::string(name) + "}");
    }
    i = end + 1;
  }
  if (out.empty() || out[0] != '/') return std::unexpected("directory \"" + out + "\" is not absolute");
  std::string normal;
  for (const auto& part : std::filesystem::path(out)) {
    std::string p = part.string();
    if (p == "/" || p.empty()) continue;
    if (p == "." || p == "..") return std::unexpected("directory \"" + out + "\" has . or .. in it");
    normal += "/" + p;
  }
  return normal.empty() ? "/" : normal;
}

std::string pdf_file_name(std::string_view title, std::string_view job_id, int attempt) {
  auto slash = title.find_last_of("/\\");
  if (slash != std::string_view::npos) title = title.substr(slash + 1);
  title = without_document_extension(title);
  std::string name;
  for (std::size_t i = 0; i < title.size() && name.size() < 100;) {
    std::size_t n = utf8_length(title, i);
    unsigned char c = static_cast<unsigned char>(title[i]);
    if (n > 1 && name.size() + n > 100) break;
    if (n > 1) name.append(title.substr(i, n));
    else if (n == 1 && (std::isalnum(c) || std::strchr(" ._-+,()[]@#%=~", c))) name += static_cast<char>(c);
    else if (name.empty() || name.back() != '_') name += '_';
    i += n ? n : 1;
  }
  auto first = name.find_first_not_of(". _");
  name = first == std::string::npos ? "" : name.substr(first);
  while (!name.empty() && (name.back() == ' ' || name.back() == '.')) name.pop_back();
  if (name.empty()) name = "job";
  name += "-" + std::string(job_id);
  if (attempt > 1) name += "-" + std::to_string(attempt);
  return name + ".pdf";
}

std::expected<UniqueFd, std::string> open_user_directory(std::string_view pattern, const std::string& directory,
                                                        const PdfAccount& account) {
  bool root = ::geteuid() == 0;
  if (root) {
    if (!account.known) return std::unexpected("user " + account.name + " has no local account");
    if (auto prepared = prepare_as_root(literal_base(pattern), directory, account); !prepared)
      return std::unexpected(prepared.error());
    if (auto dropped = drop_privileges(account); !dropped) return std::unexpected(dropped.error());
  }
  ::umask(077);
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec) return std::unexpected("cannot create " + directory + ": " + ec.message());
  UniqueFd dir(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir.valid()) return std::unexpected(errno_text("cannot open " + directory, errno));
  struct stat st {};
  if (::fstat(dir.get(), &st) != 0) return std::unexpected(errno_text(directory, errno));
  if (root && st.st_uid != account.uid) return std::unexpected(directory + " belongs to another user");
  return dir;
}

std::expected<CreatedFile, std::string> create_unique_file(int dir, std::string_view title, std::string_view job_id) {
  for (int attempt = 1; attempt <= 1000; ++attempt) {
    std::string name = pdf_file_name(title, job_id, attempt);
    int fd = ::openat(dir, name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0) return CreatedFile{UniqueFd(fd), name};
    if (errno != EEXIST) return std::unexpected(errno_text("cannot create " + name, errno));
  }
  return std::unexpected("no free file name for job " + std::string(job_id));
}

}  // namespace quire::backend
