// ipps backend: ipp over TLS (ipps://host[:port]/path). All logic is in
// common/ipp_delivery.cpp, shared with ipp.
#include "common/ipp_delivery.hpp"

int main(int argc, char** argv) { return quire::backend::run_ipp_backend(argc, argv); }
