#!/usr/bin/env bash
# Installs every Debian package the build, the tests and the demo need.
# Idempotent: installs only what is missing, and adds Debian's source
# archive (deb-src) once, because the wasm build compiles zlib, Xapian and
# ICU from Debian's own source packages.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config dpkg-dev
  libxapian-dev libicu-dev icu-devtools nlohmann-json3-dev doctest-dev
  libboost1.81-dev libcli11-dev libyaml-cpp-dev libcmark-gfm-dev libcmark-gfm-extensions-dev zlib1g-dev
  libsqlite3-dev libsqlitecpp-dev libssl-dev libsodium-dev libexiv2-dev libspdlog-dev sqlite3 wrk
  libjwt-dev  # verified identity: the host site's signed JWTs (HS256)
  libpq-dev postgresql-15  # the PostgreSQL stores; the tests start a throwaway cluster (pg_virtualenv)
  systemd curl gettext-base  # the deployment test: systemd-analyze verify, /healthz, envsubst
  haproxy openssl  # the three-server end-to-end run: a load balancer with TLS in front, on loopback
  emscripten
  clang-14 libfuzzer-14-dev  # the asan preset: ASan + UBSan, and the libFuzzer targets
)
if [ "${FIRSTFIX_WITH_BROWSER:-1}" = 1 ]; then packages+=(chromium); fi

sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

need_update=0
src_list=/etc/apt/sources.list.d/firstfix-deb-src.sources
if [ ! -f "$src_list" ]; then
  sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources | sudo_ tee "$src_list" >/dev/null
  need_update=1
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ] || [ $need_update = 1 ]; then
  sudo_ apt-get update -q
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive sudo_ apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
