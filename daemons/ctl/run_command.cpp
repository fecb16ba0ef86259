#include "ctl/run_command.h"

#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/scheduler_session.h"
#include "ctl/interrupt_signal.h"
#include "ctl/resource_format.h"
#include "ctl/scheduler_event_queue.h"

namespace orch::ctl {

namespace v1 = orchestrator::v1;
using Clock = std::chrono::steady_clock;
using Kind = QueuedSchedulerEvent::Kind;

namespace {

constexpr auto kSubscribeTimeout = std::chrono::seconds(30);
constexpr auto kKillWait = std::chrono::seconds(10);
constexpr int kMaxLaunchAttempts = 3;

void progress(const std::string& line) {
  std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
}

std::string localUser() {
  if (const passwd* pw = getpwuid(getuid()); pw != nullptr && pw->pw_name != nullptr) return pw->pw_name;
  return "";
}

std::string localHostname() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

std::uint32_t randomBits() {
  std::random_device rd;
  return static_cast<std::uint32_t>(rd());
}

// The one-shot framework's flow, driven from the main thread.
class OneShotRun {
 public:
  OneShotRun(const RunOptions& options, v1::CommandInfo command)
      : options_(options), command_(std::move(command)), task_id_(makeRunTaskId(randomBits())) {}

  int execute(const client::ClientConfig& config);

 private:
  enum class Phase { kSubscribing, kWaitingForOffer, kLaunched, kKilling, kDone };

  void onOffers(const std::vector<v1::Offer>& offers);
  void onUpdate(const v1::TaskStatus& status);
  void startKill(const std::string& why);
  void fail(const std::string& message) {
    if (!failure_) failure_ = message;
    phase_ = Phase::kDone;
  }
  v1::TaskInfo buildTask(const v1::Offer& offer, const std::vector<v1::Resource>& resources) const;
  int finish();

  const RunOptions& options_;
  v1::CommandInfo command_;
  std::string task_id_;
  std::unique_ptr<client::SchedulerSession> session_;
  SchedulerEventQueue queue_;

  Phase phase_ = Phase::kSubscribing;
  bool subscribed_ = false;
  std::string agent_id_;
  std::string agent_host_;
  v1::TaskState last_state_ = v1::TASK_UNKNOWN;
  std::optional<v1::TaskStatus> final_;
  std::optional<std::string> failure_;
  bool interrupted_ = false;
  bool timed_out_ = false;
  bool reported_misfit_ = false;
  int launch_attempts_ = 0;
  Clock::time_point kill_deadline_{};
};

v1::TaskInfo OneShotRun::buildTask(const v1::Offer& offer,
                                   const std::vector<v1::Resource>& resources) const {
  v1::TaskInfo task;
  task.set_name(options_.name.empty() ? "orchctl-run" : options_.name);
  task.set_task_id(task_id_);
  task.set_agent_id(offer.agent_id());
  for (const v1::Resource& r : resources) *task.add_resources() = r;
  *task.mutable_command() = command_;
  if (options_.docker_image.empty()) {
    task.mutable_container()->set_type(v1::ContainerInfo::MESOS);
  } else {
    task.mutable_container()->set_type(v1::ContainerInfo::DOCKER);
    task.mutable_container()->mutable_docker()->set_image(options_.docker_image);
  }
  return task;
}

void OneShotRun::onOffers(const std::vector<v1::Offer>& offers) {
  std::vector<std::string> unused;
  for (const v1::Offer& offer : offers) {
    if (phase_ != Phase::kWaitingForOffer) {
      unused.push_back(offer.offer_id());
      continue;
    }
    auto picked = pickResources(offer, options_.resources);
    if (!picked.ok()) {
      if (!reported_misfit_) {
        progress(absl::StrCat("waiting: ", picked.status().message()));
        reported_misfit_ = true;
      }
      unused.push_back(offer.offer_id());
      continue;
    }
    ++launch_attempts_;
    const absl::Status launched = session_->launch(offer.offer_id(), {buildTask(offer, *picked)});
    if (!launched.ok()) {
      progress(absl::StrCat("cannot launch task ", task_id_, " on offer ", offer.offer_id(), ": ",
                            launched.message()));
      if (launch_attempts_ >= kMaxLaunchAttempts || absl::IsInvalidArgument(launched)) {
        fail(absl::StrCat("cannot launch task ", task_id_, ": ", launched.message()));
      }
      continue;
    }
    agent_id_ = offer.agent_id();
    agent_host_ = offer.hostname();
    phase_ = Phase::kLaunched;
    progress(absl::StrCat("launching task ", task_id_, " on agent ", agent_id_,
                          agent_host_.empty() ? "" : absl::StrCat(" (", agent_host_, ")")));
    // One task is all we run: stop the offers.
    (void)session_->suppress();
  }
  if (!unused.empty()) {
    const double refuse = phase_ == Phase::kWaitingForOffer ? 1.0 : 3600.0;
    (void)session_->decline(unused, refuse);
  }
}

void OneShotRun::onUpdate(const v1::TaskStatus& status) {
  if (status.task_id() != task_id_) return;
  if (!status.agent_id().empty()) agent_id_ = status.agent_id();
  if (status.state() != last_state_) {
    last_state_ = status.state();
    std::string line = absl::StrCat("task ", task_id_, " ", v1::TaskState_Name(status.state()));
    if (!agent_id_.empty()) {
      absl::StrAppend(&line, " on agent ", agent_id_,
                      agent_host_.empty() ? "" : absl::StrCat(" (", agent_host_, ")"));
    }
    if (!status.message().empty() && status.state() != v1::TASK_RUNNING) {
      absl::StrAppend(&line, ": ", status.message());
    }
    progress(line);
  }
  if (isTerminalState(status.state())) {
    final_ = status;
    phase_ = Phase::kDone;
  }
}

void OneShotRun::startKill(const std::string& why) {
  progress(absl::StrCat(why, ": killing task ", task_id_));
  const absl::Status killed = session_->kill(task_id_, agent_id_, options_.kill_grace_seconds);
  if (!killed.ok()) {
    progress(absl::StrCat("cannot kill task ", task_id_, ": ", killed.message()));
    phase_ = Phase::kDone;
    return;
  }
  phase_ = Phase::kKilling;
  kill_deadline_ = Clock::now() + kKillWait +
                   std::chrono::milliseconds(static_cast<long>(options_.kill_grace_seconds * 1000));
}

int OneShotRun::execute(const client::ClientConfig& config) {
  InterruptSignal interrupts;
  auto session = client::SchedulerSession::create(config, queue_);
  if (!session.ok()) return reportError(session.status());
  session_ = *std::move(session);

  v1::FrameworkInfo info;
  info.set_name("orchctl-run");
  info.set_user(localUser());
  info.set_hostname(localHostname());
  info.set_failover_timeout(0);
  info.add_roles(options_.resources.role);
  if (absl::Status s = session_->subscribe(info); !s.ok()) return reportError(s);

  const Clock::time_point start = Clock::now();
  std::optional<Clock::time_point> deadline;
  if (options_.timeout_seconds > 0) {
    deadline = start + std::chrono::milliseconds(static_cast<long>(options_.timeout_seconds * 1000));
  }
  int interrupts_seen = 0;

  while (phase_ != Phase::kDone) {
    if (interrupts.count() > interrupts_seen) {
      interrupts_seen = interrupts.count();
      interrupted_ = true;
      if (phase_ == Phase::kLaunched) {
        startKill("interrupted");
      } else if (phase_ == Phase::kKilling && interrupts_seen > 1) {
        progress(absl::StrCat("interrupted again: not waiting for task ", task_id_, " to end"));
        phase_ = Phase::kDone;
      } else if (phase_ != Phase::kKilling) {
        progress("interrupted");
        phase_ = Phase::kDone;
      }
      continue;
    }
    const Clock::time_point now = Clock::now();
    if (phase_ == Phase::kSubscribing && now - start > kSubscribeTimeout) {
      fail(absl::StrCat("master at ", session_->masterAddress(), " did not confirm the subscription within ",
                        std::chrono::duration_cast<std::chrono::seconds>(kSubscribeTimeout).count(), " s"));
      break;
    }
    if (deadline && now >= *deadline && phase_ != Phase::kKilling && !timed_out_) {
      timed_out_ = true;
      const std::string what = absl::StrFormat("timed out after %s s", formatNumber(options_.timeout_seconds));
      if (phase_ == Phase::kLaunched) {
        startKill(what);
      } else {
        fail(absl::StrCat(what, " waiting for an offer with ", describeRequest(options_.resources)));
      }
      continue;
    }
    if (phase_ == Phase::kKilling && now >= kill_deadline_) {
      progress(absl::StrCat("task ", task_id_, " did not report its end after the kill; giving up"));
      phase_ = Phase::kDone;
      continue;
    }

    std::optional<QueuedSchedulerEvent> event = queue_.pop(std::chrono::milliseconds(100));
    if (!event) continue;
    switch (event->kind) {
      case Kind::kSubscribed:
        subscribed_ = true;
        if (phase_ == Phase::kSubscribing) {
          phase_ = Phase::kWaitingForOffer;
          progress(absl::StrCat("subscribed to master at ", session_->masterAddress(), " as framework ",
                                event->subscribed.framework_id(), "; waiting for an offer with ",
                                describeRequest(options_.resources)));
        }
        break;
      case Kind::kOffers:
        onOffers(event->offers);
        break;
      case Kind::kRescind:
        break;
      case Kind::kUpdate:
        onUpdate(event->status);
        break;
      case Kind::kError:
        progress(absl::StrCat("master reported an error: ", event->message));
        if (!subscribed_) fail(absl::StrCat("the master refused the subscription: ", event->message));
        break;
      case Kind::kDisconnected:
        subscribed_ = false;
        if (event->disconnect_status.ok()) {
          fail("the master closed the connection");
        } else if (phase_ == Phase::kSubscribing) {
          fail(std::string(event->disconnect_status.message()));
        } else {
          fail(absl::StrCat("lost the connection to the master: ", event->disconnect_status.message()));
        }
        break;
    }
  }
  return finish();
}

int OneShotRun::finish() {
  if (subscribed_) {
    if (absl::Status s = session_->teardown(); !s.ok()) {
      progress(absl::StrCat("warning: cannot tear down the framework: ", s.message()));
    }
  }
  session_->stop();

  if (final_) {
    std::printf("%s\n", describeFinalStatus(*final_).c_str());
    std::fflush(stdout);
  }
  if (interrupted_) return kExitInterrupted;
  if (failure_) return reportError(absl::UnknownError(*failure_));
  if (timed_out_) {
    std::fprintf(stderr, "orchctl: timed out after %s s\n", formatNumber(options_.timeout_seconds).c_str());
    return kExitFailure;
  }
  if (!final_) return reportError(absl::UnknownError("the task's final state is unknown"));
  return exitCodeFor(*final_);
}

}  // namespace

int runRunCommand(const GlobalOptions& global, const RunOptions& options) {
  auto command = buildCommand(options.argv, options.shell);
  if (!command.ok()) return reportError(command.status());
  auto config = resolveConfig(global);
  if (!config.ok()) return reportError(config.status());
  OneShotRun run(options, *std::move(command));
  return run.execute(*config);
}

}  // namespace orch::ctl
