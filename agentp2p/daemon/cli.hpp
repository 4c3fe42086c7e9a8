// The agentp2p command line (CLI11): run, id, keygen, ping, version.
#pragma once

namespace agentp2p::daemon {

int cli_main(int argc, char** argv);

}  // namespace agentp2p::daemon
