#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "agentp2p/multiformats/multibase.hpp"

using namespace agentp2p;
using namespace agentp2p::multiformats;

namespace {

struct vector_row {
  base b;
  const char* text;
};

void check_vectors(std::string_view input, const std::vector<vector_row>& rows) {
  auto data = as_bytes(input);
  for (auto [b, text] : rows) {
    EXPECT_EQ(multibase_encode(b, data), text) << static_cast<char>(b);
    auto decoded = multibase_decode(text);
    ASSERT_TRUE(decoded) << text << ": " << decoded.error().message;
    EXPECT_EQ(as_string_view(*decoded), input) << text;
  }
}

}  // namespace

// multiformats/multibase tests/basic.csv, leading_zero.csv, two_leading_zeros.csv.
TEST(multibase, spec_vectors_basic) {
  check_vectors("yes mani !", {{base::base16, "f796573206d616e692021"},
                               {base::base16_upper, "F796573206D616E692021"},
                               {base::base32, "bpfsxgidnmfxgsibb"},
                               {base::base32_upper, "BPFSXGIDNMFXGSIBB"},
                               {base::base32_pad, "cpfsxgidnmfxgsibb"},
                               {base::base32_pad_upper, "CPFSXGIDNMFXGSIBB"},
                               {base::base36, "k2lcpzo5yikidynfl"},
                               {base::base36_upper, "K2LCPZO5YIKIDYNFL"},
                               {base::base58btc, "z7paNL19xttacUY"},
                               {base::base64, "meWVzIG1hbmkgIQ"},
                               {base::base64_pad, "MeWVzIG1hbmkgIQ=="},
                               {base::base64url, "ueWVzIG1hbmkgIQ"},
                               {base::base64url_pad, "UeWVzIG1hbmkgIQ=="}});
}

TEST(multibase, spec_vectors_leading_zero) {
  using namespace std::string_view_literals;
  check_vectors("\0yes mani !"sv, {{base::base16, "f00796573206d616e692021"},
                                   {base::base16_upper, "F00796573206D616E692021"},
                                   {base::base32, "bab4wk4zanvqw42jaee"},
                                   {base::base32_upper, "BAB4WK4ZANVQW42JAEE"},
                                   {base::base32_pad, "cab4wk4zanvqw42jaee======"},
                                   {base::base32_pad_upper, "CAB4WK4ZANVQW42JAEE======"},
                                   {base::base36, "k02lcpzo5yikidynfl"},
                                   {base::base36_upper, "K02LCPZO5YIKIDYNFL"},
                                   {base::base58btc, "z17paNL19xttacUY"},
                                   {base::base64, "mAHllcyBtYW5pICE"},
                                   {base::base64_pad, "MAHllcyBtYW5pICE="},
                                   {base::base64url, "uAHllcyBtYW5pICE"},
                                   {base::base64url_pad, "UAHllcyBtYW5pICE="}});
}

TEST(multibase, spec_vectors_two_leading_zeros) {
  using namespace std::string_view_literals;
  check_vectors("\0\0yes mani !"sv, {{base::base16, "f0000796573206d616e692021"},
                                     {base::base16_upper, "F0000796573206D616E692021"},
                                     {base::base32, "baaahszltebwwc3tjeaqq"},
                                     {base::base32_upper, "BAAAHSZLTEBWWC3TJEAQQ"},
                                     {base::base32_pad, "caaahszltebwwc3tjeaqq===="},
                                     {base::base32_pad_upper, "CAAAHSZLTEBWWC3TJEAQQ===="},
                                     {base::base36, "k002lcpzo5yikidynfl"},
                                     {base::base36_upper, "K002LCPZO5YIKIDYNFL"},
                                     {base::base58btc, "z117paNL19xttacUY"},
                                     {base::base64, "mAAB5ZXMgbWFuaSAh"},
                                     {base::base64_pad, "MAAB5ZXMgbWFuaSAh"},
                                     {base::base64url, "uAAB5ZXMgbWFuaSAh"},
                                     {base::base64url_pad, "UAAB5ZXMgbWFuaSAh"}});
}

// tests/case_insensitivity.csv: these must decode to "hello world".
TEST(multibase, spec_vectors_case_insensitive) {
  for (const char* text : {"f68656c6c6f20776F726C64", "F68656c6c6f20776F726C64", "bnbswy3dpeB3W64TMMQ",
                           "Bnbswy3dpeB3W64TMMQ", "cnbswy3dpeB3W64TMMQ======", "Cnbswy3dpeB3W64TMMQ======",
                           "kfUvrsIvVnfRbjWaJo", "KfUVrSIVVnFRbJWAJo"}) {
    auto decoded = multibase_decode(text);
    ASSERT_TRUE(decoded) << text << ": " << decoded.error().message;
    EXPECT_EQ(as_string_view(*decoded), "hello world") << text;
  }
}

TEST(multibase, empty_input_round_trips) {
  for (auto b : {base::base16, base::base32, base::base36, base::base58btc, base::base64, base::base64url_pad}) {
    auto text = multibase_encode(b, {});
    EXPECT_EQ(text.size(), 1u);
    auto decoded = multibase_decode(text);
    ASSERT_TRUE(decoded);
    EXPECT_TRUE(decoded->empty());
  }
}

TEST(multibase, round_trips_all_lengths) {
  bytes data;
  for (int n = 0; n < 70; ++n) {
    for (auto b : {base::base16, base::base16_upper, base::base32, base::base32_upper, base::base32_pad,
                   base::base36, base::base58btc, base::base64, base::base64_pad, base::base64url,
                   base::base64url_pad}) {
      auto decoded = multibase_decode(multibase_encode(b, data));
      ASSERT_TRUE(decoded) << static_cast<char>(b) << " n=" << n;
      EXPECT_EQ(*decoded, data) << static_cast<char>(b) << " n=" << n;
    }
    data.push_back(static_cast<std::uint8_t>(n * 37 + (n % 3 == 0 ? 0 : 200)));
  }
}

TEST(multibase, bare_codecs_known_values) {
  // RFC 4648 section 10 test vectors.
  EXPECT_EQ(base32_encode(as_bytes("foobar"), true, true), "MZXW6YTBOI======");
  EXPECT_EQ(base32_encode(as_bytes("fooba"), true, true), "MZXW6YTB");
  EXPECT_EQ(base64_encode(as_bytes("foob"), false, true), "Zm9vYg==");
  EXPECT_EQ(base64_encode(as_bytes("fo"), false, false), "Zm8");
  EXPECT_EQ(base16_encode(as_bytes("foobar"), true), "666F6F626172");
  auto padded = base32_decode("MZXW6===");
  ASSERT_TRUE(padded);
  EXPECT_EQ(as_string_view(*padded), "foo");
  auto unpadded = base64_decode("Zm9vYg");
  ASSERT_TRUE(unpadded);
  EXPECT_EQ(as_string_view(*unpadded), "foob");
  bytes hi{0xfb, 0xff};
  EXPECT_EQ(base64_encode(hi, false), "+/8");
  EXPECT_EQ(base64_encode(hi, true), "-_8");
  EXPECT_FALSE(base64_decode("-_8", false));
  EXPECT_FALSE(base64_decode("+/8", true));
  // Bitcoin's base58 leading-zero convention.
  EXPECT_EQ(base58btc_encode(bytes{0, 0, 0x01}), "112");
  EXPECT_EQ(base58btc_encode(bytes{0}), "1");
}

TEST(multibase, rejects_bad_input) {
  for (const char* text : {"", "q123", "z0OIl", "zabc!", "bxyz1", "b8", "bab4wk4zanvqw42jaee=", "b====", "m====",
                           "mA", "mAAAAA", "m@@@@", "fabc", "fzz", "f0=", "k!!", "U=", "mZm9vYg=x", "uZg=="
                           "=", "bab4wk4zanvqw42jaef", "mZh"}) {
    auto decoded = multibase_decode(text);
    EXPECT_FALSE(decoded) << "accepted '" << text << "'";
    if (!decoded) {
      EXPECT_TRUE(decoded.error().is(errc::decode_error)) << text;
    }
  }
  auto message = multibase_decode("bpfsx!gid").error().message;
  EXPECT_NE(message.find("base32: invalid character '!' at position 4"), std::string::npos) << message;
  EXPECT_NE(multibase_decode("q1").error().message.find("unsupported prefix 'q'"), std::string::npos);
}

TEST(multibase, caps_radix_input) {
  std::string huge(max_radix_text + 1, '2');
  EXPECT_TRUE(base58btc_decode(huge).error().is(errc::too_large));
  EXPECT_TRUE(base36_decode(huge).error().is(errc::too_large));
  EXPECT_TRUE(base58btc_decode(std::string(max_radix_text, '2')));
}

TEST(multibase, error_messages_hide_control_characters) {
  auto message = multibase_decode("z\n\x01").error().message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

namespace {
// Digit-at-a-time big-number conversion: the textbook algorithm, as a reference.
std::string reference_radix(const std::vector<std::uint8_t>& data, std::string_view chars) {
  std::size_t zeros = 0;
  while (zeros < data.size() && data[zeros] == 0) ++zeros;
  std::vector<unsigned> digits;
  for (std::size_t i = zeros; i < data.size(); ++i) {
    unsigned carry = data[i];
    for (auto& d : digits) {
      carry += d << 8;
      d = carry % chars.size();
      carry /= static_cast<unsigned>(chars.size());
    }
    for (; carry > 0; carry /= static_cast<unsigned>(chars.size())) digits.push_back(carry % chars.size());
  }
  std::string out(zeros, chars[0]);
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) out.push_back(chars[*it]);
  return out;
}
}  // namespace

TEST(multibase, base58_and_base36_match_the_digit_by_digit_conversion) {
  std::uint32_t x = 12345;
  for (std::size_t len = 0; len < 80; ++len) {
    for (int zeros = 0; zeros < 3; ++zeros) {
      std::vector<std::uint8_t> data(len);
      for (std::size_t i = 0; i < len; ++i) {
        x = x * 1103515245u + 12345u;
        data[i] = i < static_cast<std::size_t>(zeros) ? 0 : static_cast<std::uint8_t>(x >> 16);
      }
      EXPECT_EQ(base58btc_encode(data),
                reference_radix(data, "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"));
      EXPECT_EQ(base36_encode(data), reference_radix(data, "0123456789abcdefghijklmnopqrstuvwxyz"));
    }
  }
}
