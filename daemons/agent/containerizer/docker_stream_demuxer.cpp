#include "agent/containerizer/docker_stream_demuxer.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace orch::agent {

absl::Status DockerStreamDemuxer::feed(absl::string_view data) {
  if (!error_.ok())
    return error_;
  while (!data.empty()) {
    if (remaining_ > 0) {
      size_t take = std::min<size_t>(remaining_, data.size());
      sink_(current_, data.substr(0, take));
      remaining_ -= static_cast<uint32_t>(take);
      data.remove_prefix(take);
      continue;
    }
    size_t take = std::min<size_t>(sizeof header_ - header_len_, data.size());
    std::copy_n(data.data(), take, header_ + header_len_);
    header_len_ += take;
    data.remove_prefix(take);
    if (header_len_ < sizeof header_)
      break;
    header_len_ = 0;
    if (header_[0] > 2 || header_[1] != 0 || header_[2] != 0 ||
        header_[3] != 0) {
      error_ = absl::DataLossError(absl::StrCat(
          "not a multiplexed Docker stream: frame header starts with bytes ",
          static_cast<int>(header_[0]), ",", static_cast<int>(header_[1]), ",",
          static_cast<int>(header_[2]), ",", static_cast<int>(header_[3])));
      return error_;
    }
    current_ = static_cast<Stream>(header_[0]);
    remaining_ = (static_cast<uint32_t>(header_[4]) << 24) |
                 (static_cast<uint32_t>(header_[5]) << 16) |
                 (static_cast<uint32_t>(header_[6]) << 8) |
                 static_cast<uint32_t>(header_[7]);
  }
  return absl::OkStatus();
}

} // namespace orch::agent
