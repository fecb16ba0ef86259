// Sequential znodes: names end in a 10-digit counter that the server keeps per parent. The sync
// engines copy such children by their exact name, which does not advance the target parent's
// counter past them, so the engines advance it (create+delete of a reserved child) until a new
// sequential create on the target cannot collide with any copied name and is not below the
// source's counter.
//
// The counter, measured on ZooKeeper 3.8 (Debian 12) and matching its server code: a parent
// stores the number of child creates ever applied to it ("internal cversion"); a sequential
// create takes that number as its suffix. Deletes do not advance it. The Stat a client sees
// reports cversion = 2 * creates - numChildren (every child that is gone was created and deleted
// once), so
//     next sequential suffix = (Stat.cversion + Stat.numChildren) / 2.
// Examples (cversion, numChildren → next): fresh (0,0 → 0); 3 create+delete pairs (6,0 → 3);
// 3 creates kept (3,3 → 3); create k1,k2, delete k1 (3,1 → 2). Comparing cversions directly is
// wrong whenever the two parents saw different numbers of deletes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace orch::core::sync {

// The counter of a sequential name ("lock-0000000042" → 42; a bare "0000000042", made by a
// sequential create with an empty prefix, → 42 too). nullopt when the name does not end in
// exactly 10 digits (an 11th digit before them means it is not a counter).
std::optional<std::int64_t> sequenceSuffix(std::string_view name);

// The highest sequenceSuffix among names; nullopt when no name is sequential.
std::optional<std::int64_t> highestSequenceSuffix(const std::vector<std::string>& names);

// The suffix the parent's next sequential create gets, from the parent's Stat:
// (cversion + numChildren) / 2. The reported cversion is 2 * creates - numChildren in 32 bits,
// which wraps negative past 2^30 creates; it is read as unsigned so the result stays exact up to
// the server's own 2^31 limit. InvalidArgument when the pair cannot come from that rule
// (negative numChildren, numChildren above the creates, or an odd sum): then the server counts
// differently and no bump can be computed safely. OutOfRange past 2^31 - 1 creates, where the
// server's own counter wraps to negative suffixes.
absl::StatusOr<std::int64_t> nextSequenceNumber(std::int32_t cversion, std::int32_t num_children);

// The counter the target's parent needs: max(source_next, highest copied suffix + 1). nullopt
// when no child name is sequential (nothing to protect, no bump).
std::optional<std::int64_t> requiredNextSequence(const std::vector<std::string>& child_names,
                                                 std::int64_t source_next);

// Create+delete pairs of a throwaway child needed to move the target's counter from target_next
// to at least required_next: each pair is one create, so it advances the counter by exactly 1.
// 0 when the target is already there (no writes).
std::int64_t bumpPairsNeeded(std::int64_t target_next, std::int64_t required_next);

}  // namespace orch::core::sync
