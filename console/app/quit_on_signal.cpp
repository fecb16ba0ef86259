#include "app/quit_on_signal.h"

#include <QCoreApplication>
#include <QSocketNotifier>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

namespace orch::console {

namespace {
int signalPipe[2] = {-1, -1};

void onSignal(int) {
  const char byte = 1;
  // Async-signal-safe: only write(2).
  [[maybe_unused]] const ssize_t n = ::write(signalPipe[1], &byte, 1);
}
}  // namespace

QObject* quitOnTerminationSignals(QObject* parent, std::function<void()> beforeQuit) {
  if (::pipe2(signalPipe, O_CLOEXEC | O_NONBLOCK) != 0) return nullptr;
  auto* notifier = new QSocketNotifier(signalPipe[0], QSocketNotifier::Read, parent);
  QObject::connect(notifier, &QSocketNotifier::activated, notifier, [beforeQuit] {
    char buf[16];
    while (::read(signalPipe[0], buf, sizeof buf) > 0) {
    }
    if (beforeQuit) beforeQuit();
    QCoreApplication::quit();
  });
  struct sigaction action = {};
  action.sa_handler = onSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
  return notifier;
}

}  // namespace orch::console
