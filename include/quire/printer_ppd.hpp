// GET /printers/NAME.ppd: a queue's PPD file, as cupsd serves it. libcups's cupsGetPPD
// fetches it this way, so `lpoptions -l` and applications' print dialogs see the options
// of a queue with a PPD (uploaded with lpadmin -P, written for lpadmin -m everywhere, or
// one of /usr/share/ppd). Queues without one (raw, Quire's own drivers) answer 404 like
// CUPS's raw queues.
#pragma once

#include "quire/http_server.hpp"

namespace quire {

class Scheduler;

// Serves GET and HEAD of /printers/NAME.ppd; every other request goes to `next`.
WebHandler make_printer_ppd_handler(Scheduler& scheduler, WebHandler next);

}  // namespace quire
