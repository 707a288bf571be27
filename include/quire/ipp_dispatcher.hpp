// IppDispatcher: the IppService behind every front end. It checks a request's header
// and operation attributes once, resolves its target (system, printer or job),
// authorizes, and runs the operation's handler — all on the scheduler strand.
#pragma once

#include "quire/ipp_service.hpp"

namespace quire {

class Scheduler;

class IppDispatcher final : public IppService {
 public:
  explicit IppDispatcher(Scheduler& scheduler) : scheduler_(scheduler) {}
  void handle(IppMessage request, ClientInfo client, IppOutcomeHandler done) override;

 private:
  Scheduler& scheduler_;
};

}  // namespace quire
