// Who a user is to the system: group membership, as CUPS's cupsdCheckGroup sees it
// (listed in the group, the user's primary group, or any group getgrouplist knows).
// Blocking NSS lookups: fine for /etc/group, slow if NSS asks a directory server.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace quire::auth {

bool is_group_member(std::string_view user, std::string_view group);
std::optional<gid_t> group_id(std::string_view group);
std::optional<std::string> user_name(uid_t uid);
std::optional<uid_t> user_id(std::string_view user);

}  // namespace quire::auth
