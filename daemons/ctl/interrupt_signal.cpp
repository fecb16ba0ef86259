#include "ctl/interrupt_signal.h"

#include <atomic>
#include <csignal>

namespace orch::ctl {
namespace {

std::atomic<int> g_interrupts{0};
struct sigaction g_old_int {};
struct sigaction g_old_term {};

extern "C" void onInterrupt(int) { g_interrupts.fetch_add(1); }

}  // namespace

InterruptSignal::InterruptSignal() {
  g_interrupts.store(0);
  struct sigaction action {};
  action.sa_handler = onInterrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, &g_old_int);
  sigaction(SIGTERM, &action, &g_old_term);
}

InterruptSignal::~InterruptSignal() {
  sigaction(SIGINT, &g_old_int, nullptr);
  sigaction(SIGTERM, &g_old_term, nullptr);
}

int InterruptSignal::count() const { return g_interrupts.load(); }

}  // namespace orch::ctl
