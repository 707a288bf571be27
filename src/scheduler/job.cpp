// Job: its attributes decoded on first use (see job.hpp).
#include "quire/job.hpp"

#include "quire/log.hpp"

namespace quire {

const IppMessage& Job::attributes() const {
  if (!attributes_) {
    auto decoded = IppMessage::decode(record.attributes);
    if (!decoded) log::error().warn("[Job {}] attributes unreadable, ignored: {}", record.id, decoded.error());
    attributes_ = decoded ? std::move(*decoded) : IppMessage();
  }
  return *attributes_;
}

}  // namespace quire
