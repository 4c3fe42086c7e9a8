// agentp2p-p2pd: a libp2p daemon with go-libp2p-daemon's flags and control protocol.

#include "agentp2p/daemon/p2pd/cli.hpp"

int main(int argc, char** argv) { return agentp2p::p2pd::cli_main(argc, argv); }
