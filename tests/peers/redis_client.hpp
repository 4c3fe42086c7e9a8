// The two Redis commands the libp2p transport-interop spec needs (RPUSH,
// BLPOP), spoken in RESP over one TCP connection.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/streambuf.hpp>

#include "agentp2p/base/asio.hpp"
#include "agentp2p/base/result.hpp"

namespace agentp2p::test {

class redis_client {
 public:
  explicit redis_client(executor ex) : socket_(ex) {}
  awaitable<result<void>> connect(const std::string& host_port);
  awaitable<result<void>> rpush(const std::string& key, const std::string& value);
  // nullopt when `timeout` passes with the list still empty.
  awaitable<result<std::optional<std::string>>> blpop(const std::string& key, std::chrono::seconds timeout);

 private:
  awaitable<result<void>> send(std::string command);
  awaitable<result<std::string>> read_line();
  awaitable<result<std::optional<std::string>>> read_bulk(const std::string& header);

  asio::ip::tcp::socket socket_;
  asio::streambuf in_;
};

}  // namespace agentp2p::test
