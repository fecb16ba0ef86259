// Human units for orchctl's tables: "2.5" cpus, "512 MB" / "1.5 GB" memory, "31000-32000" ports,
// "3m12s" ages, "RUNNING" states.
#pragma once

#include <string>
#include <string_view>

#include <google/protobuf/repeated_field.h>

#include "orchestrator/v1/common.pb.h"

namespace orch::ctl {

using ResourceList = google::protobuf::RepeatedPtrField<orchestrator::v1::Resource>;

// At most three decimals, trailing zeros dropped: 2.5, 0.1, 1, 1.234.
std::string formatNumber(double value);
// A size given in MB: "0 MB", "512 MB", "1.5 GB", "2 TB" (one decimal above 1024 MB).
std::string formatMegabytes(double megabytes);
// A scalar by resource name: mem and disk (and *_mb) as sizes, everything else as a number.
std::string formatScalar(std::string_view name, double value);
// "31000-32000,33000".
std::string formatRanges(const orchestrator::v1::Resource::Ranges& ranges);
// Sum of the scalar resources named `name` (every role).
double scalarTotal(const ResourceList& resources, std::string_view name);
// "cpus 2.5, mem 512 MB, disk 1 GB, ports 31000-32000" (scalars of the same name summed across
// roles; "(role)" appended for reserved ones).
std::string formatResources(const ResourceList& resources);
// "used / total" of one scalar, e.g. "0.5 / 4" or "32 MB / 7.6 GB".
std::string formatUsage(std::string_view name, const ResourceList& used, const ResourceList& total);
// A duration in seconds: "45s", "3m12s", "2h5m", "3d4h"; "-" when negative.
std::string formatDuration(double seconds);
// TASK_RUNNING -> "RUNNING".
std::string taskStateShortName(orchestrator::v1::TaskState state);

}  // namespace orch::ctl
