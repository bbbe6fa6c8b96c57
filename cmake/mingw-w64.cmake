# Cross-compiling for 64-bit Windows with mingw-w64 on Debian/Ubuntu
# (g++-mingw-w64-x86-64-posix). The -posix compilers provide std::thread.
#   cmake --preset mingw && cmake --build --preset mingw
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_VERSION 10.0)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(PYPAC_MINGW_TRIPLE x86_64-w64-mingw32)
find_program(CMAKE_C_COMPILER NAMES ${PYPAC_MINGW_TRIPLE}-gcc-posix REQUIRED)
find_program(CMAKE_CXX_COMPILER NAMES ${PYPAC_MINGW_TRIPLE}-g++-posix REQUIRED)
find_program(CMAKE_RC_COMPILER NAMES ${PYPAC_MINGW_TRIPLE}-windres)

set(CMAKE_FIND_ROOT_PATH /usr/${PYPAC_MINGW_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Static C++ runtime and winpthread: the .exe runs under Wine (or on a bare
# Windows machine) without mingw's DLLs next to it.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static -static-libgcc -static-libstdc++")

# ctest runs the test programs under Wine when it is installed.
find_program(PYPAC_WINE NAMES wine64 wine PATHS /usr/lib/wine NO_DEFAULT_PATH)
if(NOT PYPAC_WINE)
  find_program(PYPAC_WINE NAMES wine64 wine)
endif()
if(PYPAC_WINE)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${PYPAC_WINE})
endif()
