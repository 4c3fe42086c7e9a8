#include "agentp2p/crypto/identity_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include "agentp2p/crypto/peer_id.hpp"

namespace agentp2p::crypto {
namespace {

namespace fs = std::filesystem;

class identity_file : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "agentp2p-identity-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  static unsigned mode_of(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0);
    return st.st_mode & 07777;
  }
  static void write_file(const fs::path& p, const std::string& content, mode_t mode) {
    { std::ofstream(p, std::ios::binary) << content; }
    ASSERT_EQ(::chmod(p.c_str(), mode), 0);
  }

  fs::path dir_;
};

TEST_F(identity_file, created_with_mode_0600_and_reloaded_identical) {
  const fs::path path = dir_ / "nested" / "deeper" / "identity.key";
  auto created = load_or_create_identity(path);
  ASSERT_TRUE(created) << created.error().what();
  EXPECT_EQ(created->type(), key_type::ed25519);
  ASSERT_TRUE(fs::exists(path));
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_EQ(fs::file_size(path), created->to_protobuf().size());

  auto again = load_or_create_identity(path);
  ASSERT_TRUE(again) << again.error().what();
  EXPECT_EQ(again->to_protobuf(), created->to_protobuf());
  EXPECT_EQ(peer_id::from_public_key(again->public_key()),
            peer_id::from_public_key(created->public_key()));
  auto loaded = load_identity(path);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->public_key(), created->public_key());

  // No temporary files are left behind.
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(path.parent_path())) ++entries;
  EXPECT_EQ(entries, 1u);
}

TEST_F(identity_file, world_readable_file_is_rejected_naming_file_and_mode) {
  const fs::path path = dir_ / "identity.key";
  ASSERT_TRUE(load_or_create_identity(path));
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  auto r = load_or_create_identity(path);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(errc::invalid_argument));
  const std::string& msg = r.error().message;
  EXPECT_NE(msg.find(path.string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("readable by other users"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(mode 0644)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("chmod 600 " + path.string()), std::string::npos) << msg;

  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);  // group-readable is refused too
  EXPECT_FALSE(load_identity(path));
  ASSERT_EQ(::chmod(path.c_str(), 0602), 0);  // writable by others
  auto w = load_identity(path);
  ASSERT_FALSE(w);
  EXPECT_NE(w.error().message.find("(mode 0602)"), std::string::npos) << w.error().message;
  ASSERT_EQ(::chmod(path.c_str(), 0400), 0);  // owner read-only is fine
  EXPECT_TRUE(load_identity(path));
}

TEST_F(identity_file, corrupt_file_is_rejected) {
  const fs::path path = dir_ / "identity.key";
  write_file(path, "this is not a protobuf key", 0600);
  auto r = load_or_create_identity(path);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(errc::crypto_error));
  EXPECT_NE(r.error().message.find("identity file " + path.string() + " is corrupt"), std::string::npos)
      << r.error().message;

  write_file(path, "", 0600);
  EXPECT_FALSE(load_identity(path));

  write_file(path, std::string(20000, 'x'), 0600);
  auto big = load_identity(path);
  ASSERT_FALSE(big);
  EXPECT_NE(big.error().message.find("corrupt"), std::string::npos);

  // A well-formed key with a bit flipped in its public half.
  auto key = private_key::generate_ed25519().to_protobuf();
  key.back() ^= 1;
  write_file(path, std::string(key.begin(), key.end()), 0600);
  EXPECT_FALSE(load_identity(path));
}

TEST_F(identity_file, save_and_load_other_key_types) {
  for (auto key : {private_key::generate_secp256k1(), private_key::generate_ecdsa_p256()}) {
    const fs::path path = dir_ / ("key-" + std::string(to_string(key.type())));
    ASSERT_TRUE(save_identity(path, key));
    EXPECT_EQ(mode_of(path), 0600u);
    auto loaded = load_or_create_identity(path);
    ASSERT_TRUE(loaded) << loaded.error().what();
    EXPECT_EQ(loaded->type(), key.type());
    EXPECT_EQ(loaded->public_key(), key.public_key());
  }
  // save_identity replaces an existing file.
  const fs::path path = dir_ / "replace.key";
  auto first = private_key::generate_ed25519();
  auto second = private_key::generate_ed25519();
  ASSERT_TRUE(save_identity(path, first));
  ASSERT_TRUE(save_identity(path, second));
  EXPECT_EQ(load_identity(path).value().public_key(), second.public_key());
}

TEST_F(identity_file, missing_and_non_regular_files) {
  auto missing = load_identity(dir_ / "nope.key");
  ASSERT_FALSE(missing);
  EXPECT_TRUE(missing.error().is(errc::not_found));
  EXPECT_NE(missing.error().message.find("nope.key"), std::string::npos);

  fs::create_directory(dir_ / "adir");
  ASSERT_EQ(::chmod((dir_ / "adir").c_str(), 0700), 0);
  auto dir = load_or_create_identity(dir_ / "adir");
  ASSERT_FALSE(dir);
  EXPECT_NE(dir.error().message.find("adir"), std::string::npos);

  // The parent "directory" is a file: creation fails with an error, not a throw.
  write_file(dir_ / "file", "x", 0600);
  auto under_file = load_or_create_identity(dir_ / "file" / "identity.key");
  ASSERT_FALSE(under_file);
  EXPECT_NE(under_file.error().message.find("identity.key"), std::string::npos);
}

}  // namespace
}  // namespace agentp2p::crypto
