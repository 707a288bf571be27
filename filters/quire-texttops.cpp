// quire-texttops: a CUPS-convention filter — UTF-8 text to PostScript with paps.
// The work is in the core library (src/pipeline/filter_programs.hpp).
#include "pipeline/filter_programs.hpp"

int main(int argc, char** argv) { return quire::run_text_filter(argc, argv); }
