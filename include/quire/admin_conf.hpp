// The /admin/conf resources CUPS's cupsctl uses: GET /admin/conf/cupsd.conf returns the
// file (text/plain); PUT replaces it (201 Created, 400 with file:line for a bad file),
// and the daemon applies what can change without a restart.
#pragma once

#include "quire/http_server.hpp"

#include <memory>

namespace quire {

class AccessControl;
class ServerSettings;

// A WebHandler serving /admin/conf/cupsd.conf to administrators (root or SystemGroup,
// proven by PeerCred, Local or Basic: 401 until then, 403 for others), whatever the
// <Location> rules say. Every other request goes to `next` (the web pages; not served
// when cupsd.conf says WebInterface No) or gets 404. File reads and writes run on a
// thread of the handler's own, never on the network threads.
WebHandler make_admin_conf_handler(std::shared_ptr<ServerSettings> settings,
                                   std::shared_ptr<const AccessControl> access, WebHandler next = {});

}  // namespace quire
