// agentp2p: run a node, and small commands around it.

#include "agentp2p/daemon/cli.hpp"

int main(int argc, char** argv) { return agentp2p::daemon::cli_main(argc, argv); }
