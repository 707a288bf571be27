// Where the pdf backend (the virtual PDF printer) puts a job: the per-user directory
// from quire-pdf.conf, a file name made from the job's title and id, and the safety
// rules around both (no path from a title, no overwriting, the user's own files).
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <sys/types.h>

#include "unique_fd.hpp"

namespace quire::backend {

// $CUPS_SERVERROOT/quire-pdf.conf (/etc/cups without CUPS_SERVERROOT):
//   Directory /var/spool/quire-pdf/${USER}      (the default)
//   Directory ${HOME}/PDF
// The pattern must be absolute after expansion and name ${USER} or ${HOME}.
struct PdfConfig {
  std::string directory = "/var/spool/quire-pdf/${USER}";
};
inline constexpr std::string_view kPdfConfigName = "quire-pdf.conf";

// A missing file gives the defaults; errors name file and line.
std::expected<PdfConfig, std::string> load_pdf_config(const std::string& server_root);

// The local account a job is written for.
struct PdfAccount {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string home;
  bool known = false;  // has a passwd entry
};
PdfAccount find_account(const std::string& user);

// The pattern with ${USER} and ${HOME} replaced. Fails for a user name that is not a
// safe file name, an unknown ${HOME}, a relative result, or `.`/`..` components.
std::expected<std::string, std::string> expand_directory(std::string_view pattern, const PdfAccount& account);

// "TITLE-JOBID.pdf" (attempt 1), "TITLE-JOBID-2.pdf", ...: the title's last path
// component, without a document extension (.pdf, .ps, .txt, …), with control
// characters, path separators and characters shells and file managers trip on
// replaced by '_', no leading dots, at most 100 bytes of valid UTF-8; "job" if
// nothing is left.
std::string pdf_file_name(std::string_view title, std::string_view job_id, int attempt);

// Prepares `directory` for `account` and leaves this process running as that account
// (when it runs as root; otherwise as it is): directories above the first expanded
// variable are created by root (0755), the user's own directory is created (0700) and
// owned by the user, anything in a home directory is created as the user. Returns the
// directory, opened without following a final symbolic link.
std::expected<UniqueFd, std::string> open_user_directory(std::string_view pattern, const std::string& directory,
                                                        const PdfAccount& account);

// Creates a new file in `dir` (mode 0600, never replacing anything, never through a
// symbolic link): the first free name of pdf_file_name(title, job_id, 1, 2, ...).
struct CreatedFile {
  UniqueFd fd;
  std::string name;
};
std::expected<CreatedFile, std::string> create_unique_file(int dir, std::string_view title, std::string_view job_id);

}  // namespace quire::backend
