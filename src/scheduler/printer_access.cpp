// Allow/deny lists of a queue, as CUPS's AllowUser/DenyUser read them.
#include "quire/printer_access.hpp"

#include <grp.h>
#include <pwd.h>
#include <strings.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

namespace quire {
namespace {

bool in_group(const std::string& user, const std::string& group_name) {
  struct group* grp = ::getgrnam(group_name.c_str());
  if (!grp) return false;
  for (char** m = grp->gr_mem; m && *m; ++m)
    if (user == *m) return true;
  struct passwd* pw = ::getpwnam(user.c_str());
  return pw && pw->pw_gid == grp->gr_gid;  // the user's primary group
}

bool matches(const std::vector<std::string>& list, const std::string& user) {
  return std::any_of(list.begin(), list.end(), [&](const std::string& entry) {
    if (!entry.empty() && entry[0] == '@') return in_group(user, entry.substr(1));
    return strcasecmp(entry.c_str(), user.c_str()) == 0;
  });
}

}  // namespace

bool is_user_allowed(const PrinterConfig& printer, std::string_view user_view) {
  std::string user(user_view);
  if (!printer.users_allowed.empty()) return matches(printer.users_allowed, user);
  return !matches(printer.users_denied, user);
}

}  // namespace quire
