// quire-gsd: the warm Ghostscript worker (src/pipeline/gsapi/ghostscript_worker.hpp),
// started and restarted by the daemon. Usage: quire-gsd DIR
#include "pipeline/gsapi/ghostscript_worker.hpp"

#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "Usage: %s DIR\n", argv[0]);
    return 1;
  }
  return quire::run_ghostscript_worker(argv[1]);
}
