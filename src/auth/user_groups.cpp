// Users and groups through NSS (getpwnam_r, getgrnam_r, getgrouplist).
#include "auth/user_groups.hpp"

#include <grp.h>
#include <pwd.h>
#include <strings.h>
#include <unistd.h>

#include <vector>

namespace quire::auth {
namespace {

constexpr std::size_t kNssBuffer = 16 * 1024;

struct PasswdEntry {
  passwd entry{};
  std::vector<char> buffer = std::vector<char>(kNssBuffer);
};

std::optional<PasswdEntry> find_user(std::string_view user) {
  PasswdEntry found;
  passwd* result = nullptr;
  const std::string name(user);
  if (getpwnam_r(name.c_str(), &found.entry, found.buffer.data(), found.buffer.size(), &result) != 0 || !result)
    return std::nullopt;
  return found;
}

}  // namespace

std::optional<gid_t> group_id(std::string_view group) {
  std::vector<char> buffer(kNssBuffer);
  struct group entry{};
  struct group* result = nullptr;
  const std::string name(group);
  if (getgrnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &result) != 0 || !result) return std::nullopt;
  return entry.gr_gid;
}

bool is_group_member(std::string_view user, std::string_view group) {
  if (user.empty() || group.empty()) return false;
  std::vector<char> buffer(kNssBuffer);
  struct group entry{};
  struct group* result = nullptr;
  const std::string group_name(group);
  const std::string user_name_text(user);
  if (getgrnam_r(group_name.c_str(), &entry, buffer.data(), buffer.size(), &result) != 0 || !result) return false;
  for (char** member = entry.gr_mem; member && *member; ++member)
    if (strcasecmp(*member, user_name_text.c_str()) == 0) return true;
  auto pw = find_user(user);
  if (!pw) return false;
  if (pw->entry.pw_gid == entry.gr_gid) return true;
  int count = 64;
  std::vector<gid_t> groups(static_cast<std::size_t>(count));
  if (getgrouplist(user_name_text.c_str(), pw->entry.pw_gid, groups.data(), &count) < 0) {
    groups.resize(static_cast<std::size_t>(count));
    if (getgrouplist(user_name_text.c_str(), pw->entry.pw_gid, groups.data(), &count) < 0) return false;
  }
  groups.resize(static_cast<std::size_t>(count));
  for (gid_t gid : groups)
    if (gid == entry.gr_gid) return true;
  return false;
}

std::optional<std::string> user_name(uid_t uid) {
  PasswdEntry found;
  passwd* result = nullptr;
  if (getpwuid_r(uid, &found.entry, found.buffer.data(), found.buffer.size(), &result) != 0 || !result)
    return std::nullopt;
  return std::string(found.entry.pw_name);
}

std::optional<uid_t> user_id(std::string_view user) {
  auto found = find_user(user);
  if (!found) return std::nullopt;
  return found->entry.pw_uid;
}

}  // namespace quire::auth
