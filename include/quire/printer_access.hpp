// Who may print to a queue: its allow and deny lists (lpadmin -u), with "@group"
// entries checked against the system's group database.
#pragma once

#include "quire/config.hpp"

#include <string_view>

namespace quire {

bool is_user_allowed(const PrinterConfig& printer, std::string_view user);

}  // namespace quire
