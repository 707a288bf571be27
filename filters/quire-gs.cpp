// quire-gs: a CUPS-convention filter — Ghostscript straight to the printer's language.
// The work is in the core library (src/pipeline/filter_programs.hpp).
#include "pipeline/filter_programs.hpp"

int main(int argc, char** argv) { return quire::run_ghostscript_filter(argc, argv); }
