// Sequential znodes: names end in a 10-digit counter that the server takes from the parent's
// cversion. Copying a child by its exact name does not advance B's counter the same way, so the
// engine bumps B's parent cversion (create+delete of a reserved child) until a new sequential
// create on B cannot collide with any copied name.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>
#include <string>

namespace orch::core::sync {

// The counter of a sequential name ("lock-0000000042" → 42; a bare "0000000042", made by a
// sequential create with an empty prefix, → 42 too). nullopt when the name does not end in
// exactly 10 digits (an 11th digit before them means it is not a counter).
std::optional<std::int64_t> sequenceSuffix(std::string_view name);

// The cversion B's parent needs so that its next sequential child gets a counter above every
// copied child and at least A's next counter: max(a_cversion, max suffix + 1). nullopt when no
// child has a sequential name (no bump needed).
std::optional<std::int64_t> requiredCversion(const std::vector<std::string>& child_names, std::int32_t a_cversion);

// Create+delete pairs needed to move B's cversion from b_cversion to at least `required`
// (each pair adds 2).
std::int64_t bumpPairsNeeded(std::int32_t b_cversion, std::int64_t required);

}  // namespace orch::core::sync
