#include "agent/containerizer/unix_http_client.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace orch::agent {

void HttpCancel::cancel() {
  std::lock_guard<std::mutex> lock(mu_);
  cancelled_ = true;
  if (fd_ >= 0)
    ::shutdown(fd_, SHUT_RDWR);
}

bool HttpCancel::cancelled() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cancelled_;
}

bool HttpCancel::attach(int fd) {
  std::lock_guard<std::mutex> lock(mu_);
  if (cancelled_)
    return false;
  fd_ = fd;
  return true;
}

void HttpCancel::detach() {
  std::lock_guard<std::mutex> lock(mu_);
  fd_ = -1;
}

namespace {

// One request on one connection; owns the socket.
class Exchange {
public:
  Exchange(const std::string &path, std::chrono::milliseconds timeout,
           HttpCancel *cancel)
      : path_(path),
        timeout_ms_(timeout.count() > 0 ? static_cast<int>(timeout.count())
                                        : -1),
        cancel_(cancel) {}
  ~Exchange() {
    if (cancel_ && attached_)
      cancel_->detach();
    if (fd_ >= 0)
      ::close(fd_);
  }

  absl::Status connect() {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path_.size() >= sizeof(addr.sun_path)) {
      return absl::InvalidArgumentError(
          absl::StrCat("socket path ", path_, " is longer than ",
                       sizeof(addr.sun_path) - 1, " characters"));
    }
    std::memcpy(addr.sun_path, path_.c_str(), path_.size() + 1);
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0)
      return absl::InternalError(absl::StrCat("socket(): ", strerror(errno)));
    if (cancel_) {
      if (!cancel_->attach(fd_))
        return absl::CancelledError("request cancelled");
      attached_ = true;
    }
    // A unix-socket connect either completes or fails at once (EAGAIN only when
    // the listen backlog is full); no timeout handling is needed beyond that.
    if (::connect(fd_, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
      return absl::UnavailableError(
          absl::StrCat("cannot connect to ", path_, ": ", strerror(errno)));
    }
    return absl::OkStatus();
  }

  absl::Status writeAll(absl::string_view data) {
    size_t off = 0;
    while (off < data.size()) {
      ssize_t n =
          ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR)
          continue;
        if (cancelled())
          return absl::CancelledError("request cancelled");
        return absl::UnavailableError(
            absl::StrCat("write to ", path_, ": ", strerror(errno)));
      }
      off += static_cast<size_t>(n);
    }
    return absl::OkStatus();
  }

  // Appends more bytes to buf_; returns false at EOF.
  absl::StatusOr<bool> fill() {
    while (true) {
      pollfd p{fd_, POLLIN, 0};
      int r = ::poll(&p, 1, timeout_ms_);
      if (r < 0) {
        if (errno == EINTR)
          continue;
        return absl::InternalError(absl::StrCat("poll: ", strerror(errno)));
      }
      if (r == 0) {
        return absl::DeadlineExceededError(absl::StrCat(
            "no answer from ", path_, " within ", timeout_ms_, " ms"));
      }
      char chunk[16384];
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n < 0) {
        if (errno == EINTR || errno == EAGAIN)
          continue;
        if (cancelled())
          return absl::CancelledError("request cancelled");
        return absl::UnavailableError(
            absl::StrCat("read from ", path_, ": ", strerror(errno)));
      }
      if (n == 0) {
        if (cancelled())
          return absl::CancelledError("request cancelled");
        return false;
      }
      buf_.append(chunk, static_cast<size_t>(n));
      return true;
    }
  }

  absl::Status readHead(HttpResponse &response) {
    size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (buf_.size() > (1 << 20))
        return absl::InternalError("response header over 1 MB");
      auto more = fill();
      if (!more.ok())
        return more.status();
      if (!*more) {
        return absl::UnavailableError(absl::StrCat(
            path_, " closed the connection before a complete response header"));
      }
    }
    std::vector<absl::string_view> lines =
        absl::StrSplit(absl::string_view(buf_).substr(0, end), "\r\n");
    std::vector<absl::string_view> status_line =
        absl::StrSplit(lines[0], absl::MaxSplits(' ', 2));
    if (status_line.size() < 2 ||
        !absl::StartsWith(status_line[0], "HTTP/1.") ||
        !absl::SimpleAtoi(status_line[1], &response.status)) {
      return absl::InternalError(absl::StrCat(
          "malformed HTTP status line from ", path_, ": '", lines[0], "'"));
    }
    for (size_t i = 1; i < lines.size(); ++i) {
      size_t colon = lines[i].find(':');
      if (colon == absl::string_view::npos)
        continue;
      response.headers[absl::AsciiStrToLower(lines[i].substr(0, colon))] =
          std::string(absl::StripAsciiWhitespace(lines[i].substr(colon + 1)));
    }
    buf_.erase(0, end + 4);
    return absl::OkStatus();
  }

  // Reads the body per the headers, handing it to sink.
  absl::Status readBody(absl::string_view method, const HttpResponse &response,
                        const UnixHttpClient::BodySink &sink) {
    if (method == "HEAD" || response.status == 204 || response.status == 304 ||
        (response.status >= 100 && response.status < 200)) {
      return absl::OkStatus();
    }
    auto te = response.headers.find("transfer-encoding");
    if (te != response.headers.end() &&
        absl::StrContains(absl::AsciiStrToLower(te->second), "chunked")) {
      return readChunked(sink);
    }
    auto cl = response.headers.find("content-length");
    if (cl != response.headers.end()) {
      uint64_t remaining = 0;
      if (!absl::SimpleAtoi(cl->second, &remaining)) {
        return absl::InternalError(
            absl::StrCat("bad Content-Length '", cl->second, "'"));
      }
      while (remaining > 0) {
        if (buf_.empty()) {
          auto more = fill();
          if (!more.ok())
            return more.status();
          if (!*more)
            return absl::UnavailableError(
                "connection closed in the middle of a body");
        }
        size_t take =
            static_cast<size_t>(std::min<uint64_t>(remaining, buf_.size()));
        bool go_on = sink(absl::string_view(buf_).substr(0, take));
        buf_.erase(0, take);
        remaining -= take;
        if (!go_on)
          return absl::OkStatus();
      }
      return absl::OkStatus();
    }
    // Until the connection closes.
    while (true) {
      if (!buf_.empty()) {
        bool go_on = sink(buf_);
        buf_.clear();
        if (!go_on)
          return absl::OkStatus();
      }
      auto more = fill();
      if (!more.ok())
        return more.status();
      if (!*more)
        return absl::OkStatus();
    }
  }

private:
  bool cancelled() const { return cancel_ && cancel_->cancelled(); }

  absl::Status needBytes(size_t n) {
    while (buf_.size() < n) {
      auto more = fill();
      if (!more.ok())
        return more.status();
      if (!*more)
        return absl::UnavailableError(
            "connection closed in the middle of a chunk");
    }
    return absl::OkStatus();
  }

  absl::Status readChunked(const UnixHttpClient::BodySink &sink) {
    while (true) {
      size_t eol;
      while ((eol = buf_.find("\r\n")) == std::string::npos) {
        if (buf_.size() > 4096)
          return absl::InternalError("chunk size line over 4 KB");
        if (auto s = needBytes(buf_.size() + 1); !s.ok())
          return s;
      }
      absl::string_view size_text = absl::string_view(buf_).substr(0, eol);
      size_text = size_text.substr(0, size_text.find(';')); // chunk extensions
      uint64_t size = 0;
      if (!absl::SimpleHexAtoi(absl::StripAsciiWhitespace(size_text), &size)) {
        return absl::InternalError(
            absl::StrCat("bad chunk size '", size_text, "'"));
      }
      buf_.erase(0, eol + 2);
      if (size == 0)
        return absl::OkStatus(); // trailers, if any, are ignored
      uint64_t remaining = size;
      while (remaining > 0) {
        if (buf_.empty()) {
          if (auto s = needBytes(1); !s.ok())
            return s;
        }
        size_t take =
            static_cast<size_t>(std::min<uint64_t>(remaining, buf_.size()));
        bool go_on = sink(absl::string_view(buf_).substr(0, take));
        buf_.erase(0, take);
        remaining -= take;
        if (!go_on)
          return absl::OkStatus();
      }
      if (auto s = needBytes(2); !s.ok())
        return s;
      buf_.erase(0, 2);
    }
  }

  std::string path_;
  int timeout_ms_;
  HttpCancel *cancel_;
  bool attached_ = false;
  int fd_ = -1;
  std::string buf_;
};

} // namespace

UnixHttpClient::UnixHttpClient(std::string socket_path)
    : socket_path_(std::move(socket_path)) {}

absl::StatusOr<HttpResponse> UnixHttpClient::request(
    absl::string_view method, absl::string_view target, absl::string_view body,
    std::chrono::milliseconds timeout, HttpCancel *cancel) const {
  std::string collected;
  auto response = stream(
      method, target, body,
      [&](absl::string_view data) {
        collected.append(data.data(), data.size());
        return true;
      },
      timeout, cancel);
  if (!response.ok())
    return response.status();
  response->body = std::move(collected);
  return response;
}

absl::StatusOr<HttpResponse>
UnixHttpClient::stream(absl::string_view method, absl::string_view target,
                       absl::string_view body, const BodySink &sink,
                       std::chrono::milliseconds timeout,
                       HttpCancel *cancel) const {
  Exchange ex(socket_path_, timeout, cancel);
  if (auto s = ex.connect(); !s.ok())
    return s;
  std::string head =
      absl::StrCat(method, " ", target,
                   " HTTP/1.1\r\nHost: docker\r\nUser-Agent: orch-agent\r\n"
                   "Connection: close\r\n");
  if (!body.empty() || method == "POST" || method == "PUT") {
    absl::StrAppend(&head, "Content-Type: application/json\r\nContent-Length: ",
                    body.size(), "\r\n");
  }
  head += "\r\n";
  if (auto s = ex.writeAll(head); !s.ok())
    return s;
  if (!body.empty()) {
    if (auto s = ex.writeAll(body); !s.ok())
      return s;
  }
  HttpResponse response;
  if (auto s = ex.readHead(response); !s.ok())
    return s;
  if (auto s = ex.readBody(method, response, sink); !s.ok())
    return s;
  return response;
}

} // namespace orch::agent
