// Expands wildcard listen addresses (0.0.0.0, ::) into the machine's
// interface addresses, which is what identify and discovery must announce.
#pragma once

#include <vector>

#include "agentp2p/multiformats/multiaddr.hpp"

namespace agentp2p::host {

std::vector<multiformats::multiaddr> expand_wildcard(const multiformats::multiaddr& bound);

}  // namespace agentp2p::host
