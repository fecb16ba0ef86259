// SIGINT / SIGTERM end the console through the event loop (so a local cluster it started is
// stopped by the normal shutdown path) instead of killing it mid-flight.
#pragma once

#include <QObject>

#include <functional>

namespace orch::console {

// Installs the handlers; the returned object (parented to `parent`) runs `beforeQuit` and quits
// the application when a signal arrives. Call once.
QObject* quitOnTerminationSignals(QObject* parent, std::function<void()> beforeQuit = {});

}  // namespace orch::console
