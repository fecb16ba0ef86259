#include "agent/agent_files_service.h"

#include <fcntl.h>
#include <grpcpp/alarm.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "agent/containerizer/task_id.h"

namespace orch::agent {

namespace v1 = orchestrator::v1;

namespace {

constexpr auto kSandboxWaitStep = std::chrono::milliseconds(100);
constexpr int kSandboxWaitSteps = 50;  // a just-launched task's sandbox: up to 5 s
constexpr auto kFollowPoll = std::chrono::milliseconds(50);

// One ReadLog call: sends the file in chunks, then (following) polls it every 50 ms until the
// task has ended and the file is drained, switching to the new file when it rotates. Every step
// runs under mu_; a write or a timer is in flight at a time, never both. gRPC waits for its own
// reactions before OnDone, but not for the timer's callback, which may itself finish the call:
// whichever of OnDone and a running timer callback comes last deletes the reactor.
class ReadLogReactor final : public grpc::ServerWriteReactor<v1::LogChunk> {
 public:
  ReadLogReactor(const AgentLoop& agent, const v1::ReadLogRequest& request)
      : agent_(agent), request_(request) {
    std::lock_guard<std::mutex> lock(mu_);
    // The containerizer's rule: the id names the sandbox directory read below.
    if (absl::Status valid = validateTaskId(request_.task_id()); !valid.ok()) {
      finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          absl::StrCat("task_id: ", valid.message())));
      return;
    }
    stream_ = request_.stream().empty() ? "stdout" : request_.stream();
    if (stream_ != "stdout" && stream_ != "stderr") {
      finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "stream: must be stdout or stderr"));
      return;
    }
    path_ = agent_.workDir() + "/sandboxes/" + request_.task_id() + "/" + stream_;
    chunk_size_ = request_.length() > 0 ? std::min<int64_t>(request_.length(), 1 << 20) : 64 << 10;
    offset_ = request_.offset();
    buf_.resize(static_cast<size_t>(chunk_size_));
    step();
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard<std::mutex> lock(mu_);
    writing_ = false;
    if (finished_) return;  // the end-of-file chunk went with Finish
    if (!ok) {              // the reader is gone
      finish(grpc::Status::OK);
      return;
    }
    step();
  }

  void OnCancel() override {
    std::lock_guard<std::mutex> lock(mu_);
    cancelled_ = true;
    if (waiting_) {
      alarm_.Cancel();  // its callback (ok=false) finishes the call
    } else if (!writing_) {
      finish(grpc::Status::CANCELLED);
    }
  }

  void OnDone() override {
    bool last;
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
      last = !in_alarm_callback_;
    }
    if (last) delete this;
  }

  ~ReadLogReactor() override {
    if (fd_ >= 0) ::close(fd_);
  }

 private:
  bool openFile() {
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return false;
    struct stat st {};
    ::fstat(fd_, &st);
    inode_ = st.st_ino;
    if (offset_ < 0) offset_ = std::max<int64_t>(0, st.st_size - chunk_size_);
    if (offset_ > st.st_size) offset_ = st.st_size;
    return true;
  }

  // Under mu_, with no write or timer in flight.
  void step() {
    if (finished_) return;
    if (cancelled_) {
      finish(grpc::Status::CANCELLED);
      return;
    }
    if (fd_ < 0) {
      if (openFile()) {
        // go on below
      } else if (request_.follow() && open_attempts_++ < kSandboxWaitSteps) {
        wait(kSandboxWaitStep);
        return;
      } else {
        finish(grpc::Status(grpc::StatusCode::NOT_FOUND,
                            absl::StrCat("no ", stream_, " for task '", request_.task_id(),
                                         "' on this agent")));
        return;
      }
    }
    while (true) {
      const ssize_t n = ::pread(fd_, buf_.data(), buf_.size(), offset_);
      if (n > 0) {
        chunk_.Clear();
        chunk_.set_offset(offset_);
        chunk_.set_data(buf_.data(), static_cast<size_t>(n));
        offset_ += n;
        writing_ = true;
        StartWrite(&chunk_);
        return;
      }
      if (!request_.follow()) break;
      // Ended and drained? The supervisor closes the file when the task ends; asked before
      // the rotation check so that output written in between is still read below.
      const bool ended = agent_.hasEnded(request_.task_id()) || !agent_.isKnownTask(request_.task_id());
      struct stat now {};
      if (::stat(path_.c_str(), &now) == 0 && now.st_ino != inode_) {
        // Rotated: the old file is complete; continue with the new one from its start.
        ::close(fd_);
        fd_ = -1;
        offset_ = 0;
        if (!openFile()) break;
        continue;
      }
      if (ended) {
        if (::pread(fd_, buf_.data(), 1, offset_) > 0) continue;
        break;
      }
      wait(kFollowPoll);
      return;
    }
    // The end: a last chunk marks it, and carries the offset to resume from.
    chunk_.Clear();
    chunk_.set_offset(offset_);
    chunk_.set_eof(true);
    finished_ = true;
    writing_ = true;
    StartWriteAndFinish(&chunk_, grpc::WriteOptions(), grpc::Status::OK);
  }

  void wait(std::chrono::milliseconds delay) {
    waiting_ = true;
    // The callback only calls a member: the next wait, set from within it, replaces this
    // function object while it runs.
    alarm_.Set(std::chrono::system_clock::now() + delay, [self = this](bool) { self->onAlarm(); });
  }

  void onAlarm() {
    bool last;
    {
      std::lock_guard<std::mutex> lock(mu_);
      waiting_ = false;
      in_alarm_callback_ = true;
      step();  // a cancelled wait finds cancelled_ set; may finish the call
      in_alarm_callback_ = false;
      last = done_;
    }
    if (last) delete this;
  }

  void finish(grpc::Status status) {
    if (finished_) return;
    finished_ = true;
    Finish(std::move(status));
  }

  const AgentLoop& agent_;
  const v1::ReadLogRequest request_;
  std::mutex mu_;
  std::string stream_;
  std::string path_;
  int64_t chunk_size_ = 64 << 10;
  int64_t offset_ = 0;
  int fd_ = -1;
  ino_t inode_ = 0;
  int open_attempts_ = 0;
  std::string buf_;
  v1::LogChunk chunk_;  // the chunk being written (gRPC reads it until OnWriteDone)
  grpc::Alarm alarm_;
  bool writing_ = false;
  bool waiting_ = false;
  bool cancelled_ = false;
  bool finished_ = false;
  bool in_alarm_callback_ = false;
  bool done_ = false;  // OnDone has run
};

}  // namespace

grpc::ServerWriteReactor<v1::LogChunk>* AgentFilesService::ReadLog(
    grpc::CallbackServerContext* /*ctx*/, const v1::ReadLogRequest* request) {
  return new ReadLogReactor(agent_, *request);
}

}  // namespace orch::agent
