// Scalar resource sums and human text for the console's tables.
#pragma once

#include <QString>

#include <google/protobuf/repeated_field.h>

#include "orchestrator/v1/common.pb.h"

namespace orch::console {

using ResourceList = google::protobuf::RepeatedPtrField<orchestrator::v1::Resource>;

// Sum of the scalar resources called `name` across roles.
double scalarSum(const ResourceList& resources, const char* name);
// "0.5 / 4" or "32 MB / 3.9 GB" for one scalar; "-" when the total is zero.
QString usageText(const char* name, const ResourceList& used, const ResourceList& total);
QString usageText(const char* name, double used, double total);
// "512 MB", "1.5 GB" (mem and disk are given in MB).
QString megabytesText(double megabytes);
// At most three decimals, trailing zeros dropped.
QString numberText(double value);
// "45s", "3m12s", "2h5m", "3d4h".
QString durationText(double seconds);
// Seconds since the Unix epoch, now.
double nowSeconds();

}  // namespace orch::console
