#include "core/refuse_filters.h"

#include <algorithm>

namespace orch::core {

void RefuseFilters::refuse(uint32_t framework, uint32_t agent, TimePoint until) {
  if (agent >= slots_.size()) slots_.resize(agent + 1);
  Slot& slot = slots_[agent];
  const size_t word = framework / 64;
  const uint64_t bit = uint64_t{1} << (framework % 64);
  if (word >= slot.bits.size()) slot.bits.resize(word + 1, 0);
  if ((slot.bits[word] & bit) != 0) {
    // Already refused: keep the later deadline (rare, so a linear search is fine).
    for (Filter& f : slot.filters) {
      if (f.framework == framework) f.until = std::max(f.until, until);
    }
    return;
  }
  slot.bits[word] |= bit;
  slot.filters.push_back(Filter{framework, until});
  ++count_;
  if (until < slot.earliest) {
    slot.earliest = until;
    heap_.emplace(until, agent);
  }
}

void RefuseFilters::sweep(Slot& slot, uint32_t agent, TimePoint now) {
  TimePoint earliest = TimePoint::max();
  std::erase_if(slot.filters, [&](const Filter& f) {
    if (f.until <= now) {
      slot.bits[f.framework / 64] &= ~(uint64_t{1} << (f.framework % 64));
      --count_;
      return true;
    }
    earliest = std::min(earliest, f.until);
    return false;
  });
  slot.earliest = earliest;
  if (earliest != TimePoint::max()) heap_.emplace(earliest, agent);
}

void RefuseFilters::expire(TimePoint now) {
  while (!heap_.empty() && heap_.top().first <= now) {
    const auto [deadline, agent] = heap_.top();
    heap_.pop();
    if (agent >= slots_.size()) continue;
    Slot& slot = slots_[agent];
    // A stale entry: the slot's earliest deadline moved (or the slot was cleared).
    if (slot.earliest != deadline) continue;
    sweep(slot, agent, now);
  }
}

void RefuseFilters::clearAgent(uint32_t agent) {
  if (agent >= slots_.size()) return;
  Slot& slot = slots_[agent];
  count_ -= slot.filters.size();
  slot = Slot{};  // heap entries of the old slot are now stale (earliest is max)
}

void RefuseFilters::clearFramework(uint32_t framework) {
  const size_t word = framework / 64;
  const uint64_t bit = uint64_t{1} << (framework % 64);
  for (Slot& slot : slots_) {
    if (word >= slot.bits.size() || (slot.bits[word] & bit) == 0) continue;
    slot.bits[word] &= ~bit;
    const auto removed = std::erase_if(
        slot.filters, [framework](const Filter& f) { return f.framework == framework; });
    count_ -= removed;
    // slot.earliest may now be too early; the heap entry then sweeps nothing and re-arms.
  }
}

size_t RefuseFilters::bytes() const {
  size_t total = slots_.capacity() * sizeof(Slot) + heap_.size() * sizeof(HeapEntry);
  for (const Slot& slot : slots_) {
    total += slot.bits.capacity() * sizeof(uint64_t) + slot.filters.capacity() * sizeof(Filter);
  }
  return total;
}

}  // namespace orch::core
