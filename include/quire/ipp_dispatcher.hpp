// IppDispatcher: the IppService behind every front end. It checks a request's header
// and operation attributes once, resolves its target (system, printer or job),
// authorizes, and runs the operation's handler — all on the scheduler strand.
#pragma once

#include "quire/ipp_service.hpp"

#include <memory>

namespace quire {

class AccessControl;
class Scheduler;

class IppDispatcher final : public IppService {
 public:
  // Without an AccessControl, the scheduler's cupsd.conf settings decide (fixed at start).
  explicit IppDispatcher(Scheduler& scheduler, std::shared_ptr<const AccessControl> access = nullptr);
  void handle(IppMessage request, ClientInfo client, IppOutcomeHandler done) override;

 private:
  Scheduler& scheduler_;
  std::shared_ptr<const AccessControl> access_;
};

}  // namespace quire
