// Label sets shared by every metric kind.
#pragma once

#include <map>
#include <string>

namespace orch::metrics {

// Label name → value. Ordered, so a label set renders the same way every time.
using Labels = std::map<std::string, std::string>;

}  // namespace orch::metrics
