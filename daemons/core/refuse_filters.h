// Decline ("refuse") filters of the allocator: framework F is not offered agent A until a time.
// Built for the worst case of every framework refusing every agent: each agent slot keeps a
// bitset over framework slots (one bit test per check, 64 frameworks per word for "is anybody
// left?") and an unsorted list of (framework, until); expiry uses a min-heap of each slot's
// earliest deadline, so a cycle costs O(expired filters), never O(all filters).
// Agents and frameworks are dense slot numbers chosen by the caller.
#pragma once

#include <cstdint>
#include <queue>
#include <utility>
#include <vector>

#include "core/clock.h"

namespace orch::core {

class RefuseFilters {
 public:
  // `framework` is not offered `agent` until `until` (a later existing filter is kept).
  void refuse(uint32_t framework, uint32_t agent, TimePoint until);
  // True while a filter of `framework` on `agent` is in force (expire() drops old ones).
  bool refused(uint32_t framework, uint32_t agent) const {
    if (agent >= slots_.size()) return false;
    const std::vector<uint64_t>& bits = slots_[agent].bits;
    const size_t word = framework / 64;
    return word < bits.size() && ((bits[word] >> (framework % 64)) & 1U) != 0;
  }
  // Word `word` of agent's bitset (bit i = framework 64*word+i refuses it); 0 beyond the end.
  uint64_t word(uint32_t agent, size_t word) const {
    if (agent >= slots_.size()) return 0;
    const std::vector<uint64_t>& bits = slots_[agent].bits;
    return word < bits.size() ? bits[word] : 0;
  }
  // Drops every filter whose deadline is at or before `now`.
  void expire(TimePoint now);
  // Drops every filter on `agent` (the agent left).
  void clearAgent(uint32_t agent);
  // Drops every filter of `framework` (revive, or the framework left). O(agent slots).
  void clearFramework(uint32_t framework);
  // Number of filters in force.
  size_t size() const { return count_; }
  // Approximate heap bytes held, for the memory benchmark.
  size_t bytes() const;

 private:
  struct Filter {
    uint32_t framework;
    TimePoint until;
  };
  struct Slot {
    std::vector<uint64_t> bits;
    std::vector<Filter> filters;
    TimePoint earliest = TimePoint::max();
  };
  using HeapEntry = std::pair<TimePoint, uint32_t>;  // (deadline, agent slot)

  void sweep(Slot& slot, uint32_t agent, TimePoint now);

  std::vector<Slot> slots_;
  std::priority_queue<HeapEntry, std::vector<HeapEntry>, std::greater<>> heap_;
  size_t count_ = 0;
};

}  // namespace orch::core
