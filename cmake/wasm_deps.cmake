# zlib, Xapian and ICU for WebAssembly, built from Debian's source packages by
# cmake/build-wasm-deps.sh into a cache outside the source tree, keyed by the
# versions involved (rebuilt only when one changes).
set(FIRSTFIX_CACHE_DIR "$ENV{HOME}/.cache/firstfix" CACHE PATH "where built third-party code is cached")
if(DEFINED ENV{FIRSTFIX_CACHE_DIR})
  set(FIRSTFIX_CACHE_DIR "$ENV{FIRSTFIX_CACHE_DIR}")
endif()
message(STATUS "wasm deps: building or reusing under ${FIRSTFIX_CACHE_DIR}/wasm-deps")
execute_process(
  COMMAND bash ${CMAKE_SOURCE_DIR}/cmake/build-wasm-deps.sh ${FIRSTFIX_CACHE_DIR}/wasm-deps
  OUTPUT_VARIABLE WASM_DEPS_PREFIX
  OUTPUT_STRIP_TRAILING_WHITESPACE
  RESULT_VARIABLE WASM_DEPS_RESULT)
if(NOT WASM_DEPS_RESULT EQUAL 0)
  message(FATAL_ERROR "building zlib, Xapian and ICU for wasm failed (see the output above)")
endif()
message(STATUS "wasm deps: ${WASM_DEPS_PREFIX}")

# nlohmann/json is header-only: expose just its folder, not all of /usr/include.
set(NLOHMANN_DIR ${CMAKE_BINARY_DIR}/nlohmann-include)
file(MAKE_DIRECTORY ${NLOHMANN_DIR})
file(CREATE_LINK /usr/include/nlohmann ${NLOHMANN_DIR}/nlohmann SYMBOLIC)

add_library(wasm_deps INTERFACE)
target_include_directories(wasm_deps SYSTEM INTERFACE ${WASM_DEPS_PREFIX}/include ${NLOHMANN_DIR})
target_link_libraries(wasm_deps INTERFACE
  ${WASM_DEPS_PREFIX}/lib/libxapian.a
  ${WASM_DEPS_PREFIX}/lib/libz.a
  ${WASM_DEPS_PREFIX}/lib/libicuuc.a
  ${WASM_DEPS_PREFIX}/lib/libicudata.a)
# C++ exceptions are part of Xapian's normal operation: catch them natively.
target_compile_options(wasm_deps INTERFACE -fwasm-exceptions)
target_link_options(wasm_deps INTERFACE -fwasm-exceptions)
set(WASM_ICU_DATA ${WASM_DEPS_PREFIX}/share/icu)
