#include "models/resource_values.h"

#include <QDateTime>

#include <cmath>

namespace orch::console {

double scalarSum(const ResourceList& resources, const char* name) {
  double sum = 0;
  for (const orchestrator::v1::Resource& r : resources) {
    if (r.type() == orchestrator::v1::Resource::SCALAR && r.name() == name) sum += r.scalar().value();
  }
  return std::round(sum * 1000.0) / 1000.0;
}

QString numberText(double value) { return QString::number(std::round(value * 1000.0) / 1000.0, 'g', 12); }

QString megabytesText(double megabytes) {
  if (megabytes < 1024) return QStringLiteral("%1 MB").arg(numberText(std::round(megabytes)));
  if (megabytes < 1024.0 * 1024.0) return QStringLiteral("%1 GB").arg(QString::number(megabytes / 1024.0, 'f', 1));
  return QStringLiteral("%1 TB").arg(QString::number(megabytes / (1024.0 * 1024.0), 'f', 1));
}

namespace {
QString scalarText(const char* name, double value) {
  const QString n = QString::fromLatin1(name);
  if (n == QLatin1String("mem") || n == QLatin1String("disk")) return megabytesText(value);
  return numberText(value);
}
}  // namespace

QString usageText(const char* name, const ResourceList& used, const ResourceList& total) {
  return usageText(name, scalarSum(used, name), scalarSum(total, name));
}

QString usageText(const char* name, double used, double total) {
  if (total <= 0) return QStringLiteral("-");
  return QStringLiteral("%1 / %2").arg(scalarText(name, used), scalarText(name, total));
}

QString durationText(double seconds) {
  if (seconds < 0) return QStringLiteral("-");
  const qint64 s = static_cast<qint64>(seconds);
  if (s < 60) return QStringLiteral("%1s").arg(s);
  if (s < 3600) return QStringLiteral("%1m%2s").arg(s / 60).arg(s % 60);
  if (s < 86400) return QStringLiteral("%1h%2m").arg(s / 3600).arg((s % 3600) / 60);
  return QStringLiteral("%1d%2h").arg(s / 86400).arg((s % 86400) / 3600);
}

double nowSeconds() { return static_cast<double>(QDateTime::currentMSecsSinceEpoch()) / 1000.0; }

}  // namespace orch::console
