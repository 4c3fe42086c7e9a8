// The agentp2p command line (CLI11).
//
//   agentp2p run [--config FILE] [--listen ADDR]... [--api HOST:PORT] ...   run a node
//   agentp2p id | peers | card [PEER] | tools | call PEER TOOL JSON | ping PEER
//            | connect MULTIADDR | a2a send|get|cancel | find-agents TOOL          ask a running node
//   agentp2p mcp [--config FILE]                                               MCP over stdio (own node)
//   agentp2p config docs|example|defaults|show|check                           configuration
//   agentp2p keygen --out FILE | version
//
// Exit codes (also in the README):
//   0 success
//   1 the operation failed (the peer or tool answered with an error, a network failure)
//   2 usage or configuration error
//   3 no running node answers at the API address
//   4 not found (unknown peer, tool or task)
//   5 refused: the API needs a token (AGENTP2P_API_TOKEN)
#pragma once

namespace agentp2p::daemon {

inline constexpr int exit_ok = 0;
inline constexpr int exit_failed = 1;
inline constexpr int exit_usage = 2;
inline constexpr int exit_no_node = 3;
inline constexpr int exit_not_found = 4;
inline constexpr int exit_unauthorized = 5;

int cli_main(int argc, char** argv);

}  // namespace agentp2p::daemon
