// RAII for COM and Win32 resources: every COM pointer, HANDLE, CoTaskMem
// string and COM apartment of the WASAPI backend is owned by one of these.
//
// mingw-w64 has no WRL, so ComPtr is our own (a small subset of WRL's).
#pragma once

#include "wasapi_compat.hpp"

#include <atomic>
#include <string>
#include <utility>

namespace pypac::wasapi {

// Owns one reference to a COM interface.
template <typename T> class ComPtr {
  public:
    ComPtr() noexcept = default;
    ComPtr(std::nullptr_t) noexcept {}
    ComPtr(const ComPtr &o) noexcept : p_(o.p_) {
        if (p_)
            p_->AddRef();
    }
    ComPtr(ComPtr &&o) noexcept : p_(o.p_) { o.p_ = nullptr; }
    ComPtr &operator=(ComPtr o) noexcept {
        std::swap(p_, o.p_);
        return *this;
    }
    ~ComPtr() { reset(); }

    // Takes over a reference the caller already owns (e.g. a fresh `new`).
    static ComPtr adopt(T *p) noexcept {
        ComPtr c;
        c.p_ = p;
        return c;
    }
    // Adds a reference of our own to a pointer someone else owns (a callback argument).
    static ComPtr retain(T *p) noexcept {
        if (p)
            p->AddRef();
        return adopt(p);
    }

    void reset() noexcept {
        if (T *p = std::exchange(p_, nullptr))
            p->Release();
    }
    T *get() const noexcept { return p_; }
    T *operator->() const noexcept { return p_; }
    explicit operator bool() const noexcept { return p_ != nullptr; }
    // For out-parameters: drops what we hold and hands out the slot.
    T **put() noexcept {
        reset();
        return &p_;
    }
    void **put_void() noexcept { return reinterpret_cast<void **>(put()); }

    // QueryInterface into `out`; returns the HRESULT.
    template <typename U> HRESULT query(ComPtr<U> &out) const noexcept {
        if (!p_)
            return E_POINTER;
        return p_->QueryInterface(__uuidof(U), out.put_void());
    }

  private:
    T *p_ = nullptr;
};

// Reference counting and QueryInterface for our own COM objects (notification
// sinks, the activation handler). They are called on COM's threads, so the
// count is atomic; the last Release deletes. `Derived` must be final.
template <typename Derived, typename First, typename... Rest>
class ComObject : public First, public Rest... {
  public:
    ULONG STDMETHODCALLTYPE AddRef() override { return ++refs_; }
    ULONG STDMETHODCALLTYPE Release() override {
        const ULONG left = --refs_;
        if (left == 0)
            delete static_cast<Derived *>(this);
        return left;
    }
    HRESULT STDMETHODCALLTYPE QueryInterface(REFIID iid, void **out) override {
        if (!out)
            return E_POINTER;
        *out = nullptr;
        if (iid == __uuidof(IUnknown))
            *out = static_cast<First *>(this);
        else
            find<First, Rest...>(iid, out);
        if (!*out)
            return E_NOINTERFACE;
        AddRef();
        return S_OK;
    }

  protected:
    ComObject() = default;

  private:
    template <typename I, typename... More> void find(REFIID iid, void **out) {
        if (iid == __uuidof(I)) {
            *out = static_cast<I *>(this);
            return;
        }
        if constexpr (sizeof...(More) > 0)
            find<More...>(iid, out);
    }
    std::atomic<ULONG> refs_{1};
};

// Owns a kernel HANDLE (event, process, thread).
class UniqueHandle {
  public:
    UniqueHandle() noexcept = default;
    explicit UniqueHandle(HANDLE h) noexcept : h_(h == INVALID_HANDLE_VALUE ? nullptr : h) {}
    UniqueHandle(UniqueHandle &&o) noexcept : h_(std::exchange(o.h_, nullptr)) {}
    UniqueHandle &operator=(UniqueHandle &&o) noexcept {
        if (this != &o) {
            reset();
            h_ = std::exchange(o.h_, nullptr);
        }
        return *this;
    }
    UniqueHandle(const UniqueHandle &) = delete;
    UniqueHandle &operator=(const UniqueHandle &) = delete;
    ~UniqueHandle() { reset(); }

    void reset(HANDLE h = nullptr) noexcept {
        if (h_)
            CloseHandle(h_);
        h_ = (h == INVALID_HANDLE_VALUE) ? nullptr : h;
    }
    HANDLE get() const noexcept { return h_; }
    explicit operator bool() const noexcept { return h_ != nullptr; }

  private:
    HANDLE h_ = nullptr;
};

// A string the OS allocated with CoTaskMemAlloc for us (IMMDevice::GetId,
// IAudioSessionControl::GetDisplayName...). Only such strings: memory of ours
// is never handed to CoTaskMemFree.
class CoTaskString {
  public:
    CoTaskString() noexcept = default;
    CoTaskString(const CoTaskString &) = delete;
    CoTaskString &operator=(const CoTaskString &) = delete;
    ~CoTaskString() { CoTaskMemFree(s_); }
    LPWSTR *put() noexcept {
        CoTaskMemFree(s_);
        s_ = nullptr;
        return &s_;
    }
    const wchar_t *get() const noexcept { return s_ ? s_ : L""; }

  private:
    LPWSTR s_ = nullptr;
};

// A PROPVARIANT that IPropertyStore::GetValue filled, cleared on scope exit.
// Never for variants that point at our memory (the activation BLOB): those
// must not be cleared at all.
class OsPropVariant {
  public:
    OsPropVariant() noexcept { PropVariantInit(&v_); }
    OsPropVariant(const OsPropVariant &) = delete;
    OsPropVariant &operator=(const OsPropVariant &) = delete;
    ~OsPropVariant() { PropVariantClear(&v_); }
    PROPVARIANT *put() noexcept { return &v_; }
    const PROPVARIANT &get() const noexcept { return v_; }

  private:
    PROPVARIANT v_;
};

// COM initialised on this thread for this scope. `ok()` is false when the
// thread already belongs to another apartment (RPC_E_CHANGED_MODE): then
// nothing is undone at exit, and the caller must not use COM from here.
class ComApartment {
  public:
    explicit ComApartment(DWORD model = COINIT_MULTITHREADED) noexcept
        : hr_(CoInitializeEx(nullptr, model)) {}
    ComApartment(const ComApartment &) = delete;
    ComApartment &operator=(const ComApartment &) = delete;
    ~ComApartment() {
        if (SUCCEEDED(hr_)) // S_OK and S_FALSE both take a reference
            CoUninitialize();
    }
    bool ok() const noexcept { return SUCCEEDED(hr_); }
    HRESULT result() const noexcept { return hr_; }

  private:
    HRESULT hr_;
};

// UTF-16 from Windows -> UTF-8 for the engine (and back).
std::string utf8(const wchar_t *text);
inline std::string utf8(const std::wstring &text) { return utf8(text.c_str()); }
std::wstring widen(const std::string &text);

} // namespace pypac::wasapi
