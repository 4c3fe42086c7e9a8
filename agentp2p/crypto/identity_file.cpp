// The identity key file: protobuf PrivateKey bytes, owner-only (0600),
// written atomically so a crash never leaves a half-written key behind.
#include "agentp2p/crypto/identity_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace agentp2p::crypto {
namespace {

namespace fs = std::filesystem;

// An 8192-bit RSA key, the largest we accept, is ~4.7 KiB encoded.
constexpr std::size_t max_file_size = 16 * 1024;

std::string name(const fs::path& p) { return "identity file " + p.string(); }

agentp2p::error io_failure(const fs::path& p, std::string_view what, int err) {
  return make_error(errc::io_error, name(p) + ": " + std::string(what) + ": " + std::strerror(err));
}

struct fd_guard {
  int fd = -1;
  ~fd_guard() {
    if (fd >= 0) ::close(fd);
  }
};

struct wipe_on_exit {
  bytes& b;
  ~wipe_on_exit() {
    if (!b.empty()) OPENSSL_cleanse(b.data(), b.size());
  }
};

std::string octal_mode(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

result<void> write_all(int fd, byte_span data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return make_error(errc::io_error, std::strerror(n < 0 ? errno : EIO));
    data = data.subspan(static_cast<std::size_t>(n));
  }
  return ok();
}

// Writes `data` to a new file beside `path`, created 0600 (never briefly
// wider: O_EXCL with the mode, so no chmod race) and fsynced. Returns its name.
result<fs::path> write_temp(const fs::path& path, byte_span data) {
  for (int attempt = 0; attempt < 8; ++attempt) {
    unsigned char rnd[6];
    if (RAND_bytes(rnd, sizeof rnd) != 1) return make_error(errc::crypto_error, "random number generator failed");
    fs::path tmp = path;
    tmp += ".tmp-" + to_hex(rnd);
    fd_guard f{::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)};
    if (f.fd < 0) {
      if (errno == EEXIST) continue;  // a leftover from a crash; pick another name
      return io_failure(path, "cannot create " + tmp.string(), errno);
    }
    auto written = write_all(f.fd, data);
    if (written && ::fsync(f.fd) != 0) written = make_error(errc::io_error, std::strerror(errno));
    const int close_rc = ::close(f.fd);
    f.fd = -1;
    if (written && close_rc != 0) written = make_error(errc::io_error, std::strerror(errno));
    if (!written) {
      ::unlink(tmp.c_str());
      return make_error(errc::io_error, name(path) + ": cannot write " + tmp.string() + ": " +
                                            written.error().message);
    }
    return tmp;
  }
  return make_error(errc::io_error, name(path) + ": cannot pick a temporary file name");
}

fs::path parent_of(const fs::path& path) {
  fs::path parent = path.parent_path();
  return parent.empty() ? fs::path(".") : parent;
}

// Makes the new directory entry itself durable.
void sync_dir(const fs::path& dir) {
  fd_guard d{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (d.fd >= 0) ::fsync(d.fd);  // best effort: some filesystems refuse it
}

result<void> create_parent(const fs::path& path) {
  std::error_code ec;
  fs::create_directories(parent_of(path), ec);
  if (ec) return make_error(errc::io_error, name(path) + ": cannot create directory " +
                                                parent_of(path).string() + ": " + ec.message());
  return ok();
}

}  // namespace

result<private_key> load_identity(const fs::path& path) {
  fd_guard f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) {
    if (errno == ENOENT) return make_error(errc::not_found, name(path) + " does not exist");
    return io_failure(path, "cannot open", errno);
  }
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) return io_failure(path, "cannot stat", errno);
  if (!S_ISREG(st.st_mode))
    return make_error(errc::invalid_argument, name(path) + " is not a regular file");
  // The key is the node's identity: anyone who can read it can impersonate
  // the node, so refuse to use it rather than silently keep it exposed.
  if ((st.st_mode & 0077) != 0) {
    const char* how = (st.st_mode & 0044) ? "readable" : "accessible";
    return make_error(errc::invalid_argument, name(path) + " is " + how + " by other users (mode " +
                                                  octal_mode(st.st_mode) + "); run chmod 600 " +
                                                  path.string());
  }
  if (static_cast<std::uintmax_t>(st.st_size) > max_file_size)
    return make_error(errc::crypto_error, name(path) + " is corrupt: larger than " +
                                              std::to_string(max_file_size) + " bytes");
  // Read up to one byte past the limit: the file may have grown since fstat.
  bytes content(max_file_size + 1);
  wipe_on_exit wipe{content};
  std::size_t got = 0;
  while (got < content.size()) {
    const ssize_t n = ::read(f.fd, content.data() + got, content.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_failure(path, "cannot read", errno);
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  if (got > max_file_size)
    return make_error(errc::crypto_error, name(path) + " is corrupt: larger than " +
                                              std::to_string(max_file_size) + " bytes");
  auto key = private_key::from_protobuf(byte_span(content).first(got));
  if (!key) return make_error(errc::crypto_error, name(path) + " is corrupt: " + key.error().message);
  return key;
}

result<void> save_identity(const fs::path& path, const private_key& key) {
  AP_TRYV(create_parent(path));
  bytes encoded = key.to_protobuf();
  wipe_on_exit wipe{encoded};
  AP_TRY(auto tmp, write_temp(path, encoded));
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return io_failure(path, "cannot rename " + tmp.string() + " into place", err);
  }
  sync_dir(parent_of(path));
  return ok();
}

result<private_key> load_or_create_identity(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) return load_identity(path);
  if (errno != ENOENT) return io_failure(path, "cannot stat", errno);

  private_key key = private_key::generate_ed25519();
  AP_TRYV(create_parent(path));
  bytes encoded = key.to_protobuf();
  wipe_on_exit wipe{encoded};
  AP_TRY(auto tmp, write_temp(path, encoded));
  // link() publishes without replacing: if another process created the
  // identity meanwhile, we load theirs instead of clobbering it.
  if (::link(tmp.c_str(), path.c_str()) == 0) {
    ::unlink(tmp.c_str());
    sync_dir(parent_of(path));
    return key;
  }
  if (errno == EEXIST) {
    ::unlink(tmp.c_str());
    return load_identity(path);
  }
  // Filesystems without hard links: fall back to rename.
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return io_failure(path, "cannot move " + tmp.string() + " into place", err);
  }
  sync_dir(parent_of(path));
  return key;
}

}  // namespace agentp2p::crypto
