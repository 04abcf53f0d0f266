#!/usr/bin/env bash
# Builds zlib, Xapian and ICU for WebAssembly from Debian's source packages,
# at exactly the versions of the native -dev packages installed, so native
# and wasm builds share one version of each dependency.
#
#   build-wasm-deps.sh CACHE_ROOT      prints the prefix it built (or reused)
#
# The result lives outside the source tree under CACHE_ROOT/<key>, where the
# key names every version involved; a finished build is reused as is.
set -euo pipefail
cache_root=${1:?usage: build-wasm-deps.sh CACHE_ROOT}
here=$(cd "$(dirname "$0")" && pwd)

ver() { dpkg-query -W -f='${Version}' "$1"; }
src_ver() { dpkg-query -W -f='${source:Version}' "$1"; }
zlib_v=$(src_ver zlib1g-dev); xapian_v=$(src_ver libxapian-dev); icu_v=$(src_ver libicu-dev)
emcc_v=$(ver emscripten)
# The Snowball stemmers of the locales the analyzer supports
# (core/text/locales.cc: {"code", "stemmer", rtl}); Xapian's others are
# dropped from its dispatch, so the linker leaves them out of the module.
stemmers=$(grep -o '{"[a-z]*", "[a-z]*"' "$here/../core/text/locales.cc" | sed 's/.*, "//; s/"$//' | grep . | sort -u | tr '\n' ' ')
[ -n "$stemmers" ] || { echo "wasm-deps: no stemmers found in core/text/locales.cc" >&2; exit 1; }
stemmers_key=$(echo "$stemmers" | md5sum | cut -c1-8)
# Bump when the recipe below changes what gets built.
recipe=4
key="zlib-${zlib_v}_xapian-${xapian_v}_icu-${icu_v}_emscripten-${emcc_v}_stemmers-${stemmers_key}_recipe-${recipe}"
key=${key//[^A-Za-z0-9._-]/_}
prefix="$cache_root/$key"
if [ -f "$prefix/.complete" ]; then echo "$prefix"; exit 0; fi

log() { echo "wasm-deps: $*" >&2; }
# Each step leaves a stamp in the work folder, so an interrupted build
# resumes where it stopped.
work="$cache_root/tmp-$key"
mkdir -p "$work" "$prefix"
cd "$work"
done_() { [ -f "$work/.$1.done" ]; }
mark() { touch "$work/.$1.done"; }
export NODE_PATH=/usr/share/nodejs   # emcc's JS optimizer needs Debian's acorn
jobs=$(nproc)
flags="-Oz -fwasm-exceptions"

if ! done_ sources; then
  log "fetching Debian sources into $work"
  rm -rf zlib-* xapian-core-* icu-* icu_* zlib_* xapian-core_*
  apt-get source -qq "zlib=$zlib_v" "xapian-core=$xapian_v" "icu=$icu_v" >&2
  mark sources
fi

if ! done_ zlib; then
  log "zlib $zlib_v"
  (cd zlib-*/ && CFLAGS="$flags" emconfigure ./configure --static --prefix="$prefix" >&2 \
    && emmake make -j"$jobs" libz.a >&2 && emmake make install >&2)
  mark zlib
fi

if ! done_ xapian; then
  log "xapian-core $xapian_v (stemmers: $stemmers)"
  # Only the glass backend (the browser reads one compacted glass file), and
  # only the stemmers above: both cut the module by about 45 KB compressed.
  KEEP="$stemmers" perl -0pi -e 'BEGIN { %keep = map { uc($_) => 1 } split " ", $ENV{KEEP} }
    s/\n\s*case (\w+):\n\s*return new InternalStem\w+;/$keep{$1} ? $& : ""/ge' xapian-core-*/languages/stem.cc
  kept=$(grep -c "return new InternalStem" xapian-core-*/languages/stem.cc)
  [ "$kept" = "$(echo $stemmers | wc -w)" ] || { log "expected $(echo $stemmers | wc -w) stemmers in languages/stem.cc, found $kept"; exit 1; }
  (cd xapian-core-*/ && emconfigure ./configure --host=wasm32-unknown-emscripten \
    --disable-shared --enable-static --disable-backend-remote --disable-backend-chert --disable-backend-inmemory --prefix="$prefix" \
    CPPFLAGS="-I$prefix/include" LDFLAGS="-L$prefix/lib" CXXFLAGS="$flags" CFLAGS="$flags" >&2 \
  && emmake make -j"$jobs" libxapian.la >&2 \
  && emmake make install-libLTLIBRARIES install-incHEADERS install-xapianincludeHEADERS install-nodist_xapianincludeHEADERS >&2)
  mark xapian
fi

log "icu $icu_v"
icu_src=$(ls -d "$work"/icu-*/source)
# Only ICU's common library (word breaking, normalization; i18n is never
# linked), without its service registry and sentence-break filters, which
# the word breaker would otherwise drag in. Set in uconfig.h itself, so
# ICU and everything compiled against its headers agree.
if ! grep -q "firstfix:" "$icu_src/common/unicode/uconfig.h"; then
  sed -i 's|^#define __UCONFIG_H__$|&\n/* firstfix: */\n#define UCONFIG_NO_SERVICE 1\n#define UCONFIG_NO_FILTERED_BREAK_ITERATION 1|' \
    "$icu_src/common/unicode/uconfig.h"
fi
# A cross build needs a configured native tree with its config/icucross.mk;
# we build no tools and no data (the data archive comes from the source
# tree, trimmed later by Debian's native icupkg).
if ! done_ icu-native; then
  rm -rf icu-native && mkdir -p icu-native
  (cd icu-native && "$icu_src/runConfigureICU" Linux --disable-tests \
    --disable-samples --disable-tools --disable-extras >&2 && make config/icucross.mk config/icucross.inc >&2)
  mark icu-native
fi
if ! done_ icu-wasm-configure; then
  rm -rf icu-wasm && mkdir -p icu-wasm
  (cd icu-wasm && CFLAGS="$flags" CXXFLAGS="$flags -std=c++17" \
    emconfigure "$icu_src/configure" --host=i686-pc-linux-gnu --with-cross-build="$work/icu-native" \
      --enable-static --disable-shared --disable-tools --disable-dyload --disable-tests \
      --disable-samples --disable-extras --disable-icuio --disable-layoutex --prefix="$prefix" >&2)
  mark icu-wasm-configure
fi
if ! done_ icu-wasm; then
  # Only the libraries: the top-level Makefile would also want tools and data.
  (cd icu-wasm && mkdir -p lib bin && emmake make -j"$jobs" -C stubdata >&2 \
    && emmake make -j"$jobs" -C common >&2)
  mark icu-wasm
fi
mkdir -p "$prefix/lib" "$prefix/include/unicode" "$prefix/share/icu"
cp icu-wasm/lib/libicuuc.a "$prefix/lib/"
cp icu-wasm/stubdata/libicudata.a "$prefix/lib/" 2>/dev/null || cp icu-wasm/lib/libicudata.a "$prefix/lib/"
cp "$icu_src"/common/unicode/*.h "$prefix/include/unicode/"
cp "$icu_src"/data/in/icudt*l.dat "$prefix/share/icu/"

touch "$prefix/.complete"
rm -rf "$work"
log "done: $prefix"
echo "$prefix"
