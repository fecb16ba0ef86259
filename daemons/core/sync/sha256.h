// SHA-256 (FIPS 180-4), a small self-contained implementation for verification digests.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace orch::core::sync {

using Digest = std::array<std::uint8_t, 32>;

class Sha256 {
 public:
  Sha256();
  void update(const void* data, std::size_t len);
  void update(std::string_view s) { update(s.data(), s.size()); }
  // Length-prefixed field: distinct field splits never collide ("ab","c" vs "a","bc").
  void updateField(std::string_view s);
  void updateU64(std::uint64_t v);
  Digest finish();

  static Digest of(std::string_view s);

 private:
  void block(const std::uint8_t* p);
  std::array<std::uint32_t, 8> h_;
  std::array<std::uint8_t, 64> buf_{};
  std::size_t buf_len_ = 0;
  std::uint64_t total_ = 0;
};

std::string toHex(const Digest& d);

}  // namespace orch::core::sync
