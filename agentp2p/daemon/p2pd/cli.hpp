// `agentp2p-p2pd`: go-libp2p-daemon's p2pd command line over p2pd::daemon.
// Prints p2pd's start-up banner on stdout ("Control socket: ...", "Peer ID:
// ...", "Peer Addrs:" and one address a line), which is what tools that spawn
// p2pd wait for, then serves until SIGINT/SIGTERM.
#pragma once

namespace agentp2p::p2pd {

// Exit codes: 0 clean shutdown, 1 start-up failure, 2 usage error.
int cli_main(int argc, char** argv);

}  // namespace agentp2p::p2pd
