# deploy/packages.sh: the Debian packages lnob needs, and one way to install
# them. Sourced by tests/run, tests/bench/run and deploy/demo (the arrays
# are used there, hence SC2034).
# shellcheck shell=bash disable=SC2034

# Build and run.
LNOB_BUILD_PACKAGES=(
  build-essential cmake pkg-config
  libzmq3-dev libprotobuf-c-dev protobuf-c-compiler liblmdb-dev lmdb-utils
  libsodium-dev libinih-dev libjansson-dev libcsv-dev python3
  libmicrohttpd-dev libxlsxwriter-dev libunistring-dev
  libzip-dev libxml2-dev libsystemd-dev
)
# Tests on top: cmocka for unit tests; Python with ZeroMQ, PyNaCl and
# protobuf (and protoc) for the integration tests' independent client;
# openpyxl to read the Excel export; Selenium, Chromium and ChromeDriver
# for the browser tests, with a font that has Vietnamese letters for their
# screenshots (apt runs with --no-install-recommends); adduser for the
# package's postinst when integration.package installs it; Clang with
# libFuzzer's runtime (libclang-rt-14-dev) for the fuzz targets, and llvm
# for llvm-symbolizer (their reports name functions and lines); xmllint
# (libxml2-utils) validates the ADX export against deploy/adx/lnob-adx.xsd.
LNOB_TEST_PACKAGES=(
  "${LNOB_BUILD_PACKAGES[@]}"
  libcmocka-dev protobuf-compiler python3 python3-zmq python3-nacl python3-protobuf
  clang-tidy clang libclang-rt-14-dev llvm
  python3-openpyxl python3-selenium chromium chromium-driver fonts-dejavu-core
  adduser libxml2-utils
)

# The benchmark (tests/bench/run, README "Benchmarks"): the build, a Release
# tree of the tests' CMake (cmocka, protoc), the harness's Python modules,
# and the PostgreSQL 15 server it measures lnob against (its initdb, pg_ctl,
# psql and pgbench in /usr/lib/postgresql/15/bin; util-linux's runuser
# starts it as nobody when the bench runs as root).
LNOB_BENCH_PACKAGES=(
  "${LNOB_BUILD_PACKAGES[@]}"
  libcmocka-dev protobuf-compiler python3-zmq python3-nacl python3-protobuf
  postgresql-15 postgresql-client-15 util-linux
)

# lnob_install_packages PKG...: installs what is missing (apt-get update once,
# then apt-get install -y). Skipped with LNOB_SKIP_APT=1.
lnob_install_packages() {
  [ "${LNOB_SKIP_APT:-0}" = 1 ] && return 0
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "missing Debian packages: ${missing[*]} (run as root, or install them)" >&2
    return 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
}
