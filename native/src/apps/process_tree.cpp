#include "apps/process_tree.hpp"

#include <algorithm>
#include <unordered_set>

namespace pypac {

ProcessTable::ProcessTable(std::vector<ProcessRecord> records) : records_(std::move(records)) {
    // Stable: among equal pids the first listed stays first, and unique() keeps it.
    std::stable_sort(records_.begin(), records_.end(),
                     [](const ProcessRecord &a, const ProcessRecord &b) { return a.pid < b.pid; });
    records_.erase(
        std::unique(records_.begin(), records_.end(),
                    [](const ProcessRecord &a, const ProcessRecord &b) { return a.pid == b.pid; }),
        records_.end());
}

const ProcessRecord *ProcessTable::find(uint32_t pid) const {
    const auto it =
        std::lower_bound(records_.begin(), records_.end(), pid,
                         [](const ProcessRecord &r, uint32_t wanted) { return r.pid < wanted; });
    return it != records_.end() && it->pid == pid ? &*it : nullptr;
}

bool has_helper_marker(const ProcessRecord &process) {
    for (size_t i = 1; i < process.argv.size(); ++i) {
        const std::string &arg = process.argv[i];
        if (arg.compare(0, 7, "--type=") == 0 || arg == "-contentproc")
            return true;
    }
    return false;
}

namespace {

// The parent `process` folds into, or nullptr.
const ProcessRecord *folding_parent(const ProcessTable &table, const ProcessRecord &process) {
    if (process.parent_pid == process.pid || !has_helper_marker(process))
        return nullptr;
    const ProcessRecord *parent = table.find(process.parent_pid);
    // Unknown start times prove nothing, so nothing is folded on them. Equal
    // ones fold: creation times are coarse (a helper started in the same tick
    // as its parent), and a reused pid shares its child's tick only by chance.
    if (!parent || !parent->start_time || !process.start_time ||
        *parent->start_time > *process.start_time)
        return nullptr;
    return parent;
}

} // namespace

bool is_helper_of_parent(const ProcessTable &table, uint32_t pid) {
    const ProcessRecord *process = table.find(pid);
    return process && folding_parent(table, *process);
}

uint32_t app_root(const ProcessTable &table, uint32_t pid) {
    const ProcessRecord *current = table.find(pid);
    if (!current)
        return pid;
    std::vector<uint32_t> path{pid}; // each step goes to a new record, or closes a loop
    std::unordered_set<uint32_t> seen{pid};
    while (const ProcessRecord *parent = folding_parent(table, *current)) {
        if (!seen.insert(parent->pid).second) { // a loop: one key for all of it, whoever asks
            const auto loop = std::find(path.begin(), path.end(), parent->pid);
            return *std::min_element(loop, path.end());
        }
        path.push_back(parent->pid);
        current = parent;
    }
    return current->pid;
}

std::vector<uint32_t> app_members(const ProcessTable &table, uint32_t root) {
    std::vector<uint32_t> members{root};
    for (const ProcessRecord &r : table.records())
        if (r.pid != root && app_root(table, r.pid) == root)
            members.push_back(r.pid);
    return members;
}

} // namespace pypac
