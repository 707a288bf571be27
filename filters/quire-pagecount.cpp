// quire-pagecount: a CUPS-convention filter — counts pages of a document that passes through unchanged.
// The work is in the core library (src/pipeline/filter_programs.hpp).
#include "pipeline/filter_programs.hpp"

int main(int argc, char** argv) { return quire::run_page_count_filter(argc, argv); }
