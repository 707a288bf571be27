// ipp backend: forwards jobs to a remote IPP printer or server (ipp://host[:port]/path).
// All logic is in common/ipp_delivery.cpp, shared with ipps.
#include "common/ipp_delivery.hpp"

int main(int argc, char** argv) { return quire::backend::run_ipp_backend(argc, argv); }
