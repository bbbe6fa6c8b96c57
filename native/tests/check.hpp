// A minimal check macro for the C++ tests: prints where and counts failures.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace pypac_test {
inline int &failures() {
    static int n = 0;
    return n;
}
inline int finish(const char *name) {
    std::printf("%s: %d failed\n", name, failures());
    return failures() == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
} // namespace pypac_test

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            std::printf("%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);                   \
            ++pypac_test::failures();                                                              \
        }                                                                                          \
    } while (0)
