#include "layout/layout.h"

namespace orch::graphview {

QString layoutPhaseName(LayoutPhase phase) {
  switch (phase) {
    case LayoutPhase::Initial:
      return QStringLiteral("initial");
    case LayoutPhase::FineTune:
      return QStringLiteral("fine-tune");
    case LayoutPhase::Oscillate:
      return QStringLiteral("oscillate");
    case LayoutPhase::Finished:
      return QStringLiteral("finished");
  }
  return QStringLiteral("unknown");
}

}  // namespace orch::graphview
