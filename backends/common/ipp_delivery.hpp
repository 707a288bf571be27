// The ipp/ipps backend: forwards a job to a remote IPP printer or server and follows it
// until it completes. Runs on the backend's only thread.
//
// Steps, each retried in-process only while no document data has been consumed:
//   connect ─► Get-Printer-Attributes ─► [Validate-Job] ─► Create-Job + Send-Document
//                  │ busy / not accepting:                   (or Print-Job when the
//                  │ wait with backoff until contimeout       printer lacks Create-Job)
//                  ▼                                          ─► Get-Job-Attributes polling
//              exit RETRY                                        with backoff until
//                                                                completed/canceled/aborted
// SIGTERM at any step cancels the remote job (when there is one) and exits OK.
#pragma once

namespace quire::backend {

int run_ipp_backend(int argc, char** argv);

}  // namespace quire::backend
