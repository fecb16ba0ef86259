// Ctrl-C (SIGINT) and SIGTERM as a flag to poll, for commands that must clean up before exiting.
#pragma once

namespace orch::ctl {

class InterruptSignal {
 public:
  // Installs the handlers; the previous ones come back on destruction.
  InterruptSignal();
  ~InterruptSignal();
  InterruptSignal(const InterruptSignal&) = delete;
  InterruptSignal& operator=(const InterruptSignal&) = delete;

  // How many interrupts arrived so far.
  int count() const;
};

}  // namespace orch::ctl
