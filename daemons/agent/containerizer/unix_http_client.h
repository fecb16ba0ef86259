// A minimal HTTP/1.1 client over a unix domain socket, enough for the Docker
// Engine API: one connection per request (Connection: close), Content-Length,
// chunked and until-EOF bodies, bodies streamed to a callback for long-lived
// responses (logs with follow, /wait), and cancellation of a request in
// progress from another thread.
//
// Debian 12's cpp-httplib (0.11.4) cannot connect to AF_UNIX sockets, hence
// this class.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace orch::agent {

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers; // names lower-cased
  std::string body;
};

// Lets another thread end a request in progress: cancel() shuts the request's
// socket down, so the blocked read returns and the request ends with a
// CancelledError. Reusable only once.
class HttpCancel {
public:
  void cancel();
  bool cancelled() const;

  // For UnixHttpClient: binds the request's socket (false when already
  // cancelled: the caller must not start), and unbinds it before the socket is
  // closed.
  bool attach(int fd);
  void detach();

private:
  mutable std::mutex mu_;
  int fd_ = -1;
  bool cancelled_ = false;
};

class UnixHttpClient {
public:
  // Called with each piece of the decoded body; returning false ends the
  // request early (OK).
  using BodySink = std::function<bool(absl::string_view)>;

  explicit UnixHttpClient(std::string socket_path);

  // Sends one request and reads the whole response. `timeout` bounds the
  // connect and every wait for data (zero = wait forever). Errors:
  // UnavailableError when the socket cannot be reached, DeadlineExceededError
  // on a timeout, InternalError on a malformed response.
  absl::StatusOr<HttpResponse>
  request(absl::string_view method, absl::string_view target,
          absl::string_view body = {},
          std::chrono::milliseconds timeout = std::chrono::seconds(30),
          HttpCancel *cancel = nullptr) const;

  // As request(), but the body goes to `sink` as it arrives (response.body
  // stays empty).
  absl::StatusOr<HttpResponse>
  stream(absl::string_view method, absl::string_view target,
         absl::string_view body, const BodySink &sink,
         std::chrono::milliseconds timeout, HttpCancel *cancel) const;

  const std::string &socketPath() const { return socket_path_; }

private:
  std::string socket_path_;
};

} // namespace orch::agent
