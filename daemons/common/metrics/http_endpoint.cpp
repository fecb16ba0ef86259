#include "common/metrics/http_endpoint.h"

#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include <httplib.h>

#include "absl/strings/str_cat.h"
#include "common/metrics/metrics_registry.h"

namespace orch::metrics {

class HttpEndpoint::Impl {
 public:
  Impl(int port, const MetricsRegistry& registry) : requested_port_(port), registry_(registry) {}

  const int requested_port_;
  const MetricsRegistry& registry_;
  std::atomic<int> bound_port_{-1};
  std::atomic<bool> loop_done_{false};
  std::atomic<bool> started_{false};

  mutable std::mutex mu_;  // guards health_ and handlers_
  HealthCheck health_;
  std::map<std::string, GetHandler> handlers_;

  std::mutex lifecycle_mu_;  // serialises start()/stop()
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;

  void dispatch(const httplib::Request& req, httplib::Response& res) {
    if (req.path == "/metrics") {
      res.set_content(registry_.renderPrometheus(), MetricsRegistry::kContentType);
      return;
    }
    if (req.path == "/health") {
      HealthCheck check;
      {
        std::lock_guard lock(mu_);
        check = health_;
      }
      HealthReport report = check ? check() : HealthReport{};
      res.status = report.status;
      res.set_content(report.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                      "application/json");
      return;
    }
    GetHandler handler;
    {
      std::lock_guard lock(mu_);
      auto it = handlers_.find(req.path);
      if (it != handlers_.end()) handler = it->second;
    }
    if (!handler) {
      res.status = 404;
      res.set_content(absl::StrCat("no handler for ", req.path, "\n"), "text/plain; charset=utf-8");
      return;
    }
    HttpRequestInfo info;
    info.path = req.path;
    info.params.insert(req.params.begin(), req.params.end());
    info.headers.insert(req.headers.begin(), req.headers.end());
    HttpResponse out = handler(info);
    res.status = out.status;
    res.set_content(out.body, out.content_type.c_str());
  }
};

HttpEndpoint::HttpEndpoint(std::string host, int port, const MetricsRegistry& registry)
    : host_(std::move(host)), impl_(std::make_unique<Impl>(port, registry)) {}

HttpEndpoint::~HttpEndpoint() { stop(); }

void HttpEndpoint::setHealthCheck(HealthCheck check) {
  std::lock_guard lock(impl_->mu_);
  impl_->health_ = std::move(check);
}

absl::Status HttpEndpoint::addGetHandler(const std::string& path, GetHandler handler) {
  if (path.empty() || path[0] != '/') {
    return absl::InvalidArgumentError(absl::StrCat("HTTP handler path '", path, "' must start with '/'"));
  }
  if (path == "/metrics" || path == "/health") {
    return absl::InvalidArgumentError(absl::StrCat("HTTP handler path '", path, "' is reserved"));
  }
  if (!handler) return absl::InvalidArgumentError(absl::StrCat("empty HTTP handler for '", path, "'"));
  std::lock_guard lock(impl_->mu_);
  impl_->handlers_[path] = std::move(handler);
  return absl::OkStatus();
}

absl::Status HttpEndpoint::start() {
  std::lock_guard lifecycle(impl_->lifecycle_mu_);
  if (impl_->server_) return absl::FailedPreconditionError("HTTP endpoint already started");
  if (impl_->requested_port_ < 0 || impl_->requested_port_ > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("invalid HTTP port ", impl_->requested_port_));
  }
  auto server = std::make_unique<httplib::Server>();
  // httplib's default also sets SO_REUSEPORT, which would let two endpoints share a port silently.
  server->set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  Impl* impl = impl_.get();
  server->Get("/.*", [impl](const httplib::Request& req, httplib::Response& res) { impl->dispatch(req, res); });

  int port = impl_->requested_port_;
  if (port == 0) {
    port = server->bind_to_any_port(host_);
    if (port < 0) {
      return absl::UnavailableError(absl::StrCat("cannot bind HTTP endpoint to ", host_, " (any port)"));
    }
  } else if (!server->bind_to_port(host_, port)) {
    return absl::UnavailableError(
        absl::StrCat("cannot bind HTTP endpoint to ", host_, ":", port, " (address in use or not local)"));
  }
  impl_->bound_port_ = port;
  httplib::Server* raw = server.get();
  impl_->server_ = std::move(server);
  impl_->loop_done_ = false;
  impl_->thread_ = std::thread([impl, raw] {
    raw->listen_after_bind();
    impl->loop_done_ = true;
  });
  // httplib's stop() is a no-op until the accept loop runs, so wait for it before returning.
  while (!raw->is_running() && !impl_->loop_done_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!raw->is_running()) {
    impl_->thread_.join();
    impl_->server_.reset();
    impl_->bound_port_ = -1;
    return absl::InternalError(absl::StrCat("HTTP endpoint on ", host_, ":", port, " stopped at once"));
  }
  impl_->started_ = true;
  return absl::OkStatus();
}

void HttpEndpoint::stop() {
  std::lock_guard lifecycle(impl_->lifecycle_mu_);
  if (!impl_->server_) return;
  impl_->started_ = false;
  if (impl_->server_->is_running()) impl_->server_->stop();
  if (impl_->thread_.joinable()) impl_->thread_.join();
  impl_->server_.reset();
  impl_->bound_port_ = -1;
}

bool HttpEndpoint::running() const { return impl_->started_ && !impl_->loop_done_; }

int HttpEndpoint::port() const {
  int bound = impl_->bound_port_.load();
  return bound >= 0 ? bound : impl_->requested_port_;
}

}  // namespace orch::metrics
