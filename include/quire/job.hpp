// Job: one print job as the scheduler holds it. The durable part is its JobRecord;
// the rest is run-time state. Owned by the Scheduler, touched only on its strand.
//
// Job states (IPP, RFC 8011 §5.3.7) and who moves them:
//   pending (3) ──start──► processing (5) ──backend exit 0──► completed (9)
//      │  ▲                    │  └──backend failed──► aborted (8) / back to pending (retry)
//      ▼  │ release            └──cancel──► canceled (7)
//   pending-held (4)           (after a crash, processing jobs restart as pending)
// Create-Job leaves a job pending with documents_complete false until the last
// Send-Document; the scheduler does not start it before then.
#pragma once

#include "quire/ipp_message.hpp"
#include "quire/spool.hpp"

#include <memory>
#include <optional>
#include <string>

namespace quire {

class RunningJob;

struct Job {
  JobRecord record;
  std::shared_ptr<RunningJob> running;     // set while processing
  bool cancel_requested = false;
  std::string printing_on;                 // the printer running it (a member, for a class's job)
  std::int64_t hold_release = 0;           // when a held job becomes due (Unix time); 0: never

  int id() const { return record.id; }
  ipp_jstate_t state() const { return static_cast<ipp_jstate_t>(record.state); }
  bool is_finished() const { return record.state >= IPP_JSTATE_CANCELED; }
  bool is_active() const { return !is_finished(); }

  // The job's IPP attributes (IPP_TAG_JOB group): record.attributes, decoded on first
  // use, so that a start with a long history decodes none of it until a client asks.
  // Bytes that do not decode give an empty message (and a warning in error_log).
  const IppMessage& attributes() const;
  // For a change; the caller re-encodes record.attributes afterwards.
  IppMessage& mutable_attributes() { return const_cast<IppMessage&>(attributes()); }
  // A new job's attributes, already decoded (record.attributes holds their encoding).
  void set_attributes(IppMessage attributes) { attributes_ = std::move(attributes); }

 private:
  mutable std::optional<IppMessage> attributes_;  // filled by attributes(), on the strand
};

}  // namespace quire
