// The capture thread's MMCSS class ("Audio"), for the lifetime of a scope.
#pragma once

#include "com.hpp"

#include <avrt.h>

namespace pypac::wasapi {

// MMCSS "Audio" for this thread, reverted on exit. Refusal (no MMCSS service,
// a restricted account) is not fatal: error() says why, the caller logs it.
class MmcssScope {
  public:
    MmcssScope() {
        DWORD task_index = 0;
        handle_ = AvSetMmThreadCharacteristicsW(L"Audio", &task_index);
        if (!handle_)
            error_ = GetLastError();
    }
    ~MmcssScope() {
        if (handle_)
            AvRevertMmThreadCharacteristics(handle_);
    }
    MmcssScope(const MmcssScope &) = delete;
    MmcssScope &operator=(const MmcssScope &) = delete;
    DWORD error() const { return handle_ ? 0 : error_; }

  private:
    HANDLE handle_ = nullptr;
    DWORD error_ = 0;
};

} // namespace pypac::wasapi
