#!/bin/sh
# Idempotent set-up shared by `npm start` and `npm test`: Bun from npm, the JS dependencies,
# Debian packages for the native crypto (plus, with --test, the test tools), and the Rust
# cdylib. Each step is skipped when already done, so repeated runs cost well under a second.
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
BUN_VERSION=1.4.5
bun="$root/.tools/node_modules/.bin/bun"
say() { printf 'setup: %s\n' "$*" >&2; }

# 1. Bun, project-local (no global state).
if [ ! -x "$bun" ] || [ "$("$bun" --version 2>/dev/null)" != "$BUN_VERSION" ]; then
  say "installing bun $BUN_VERSION from npm into .tools/"
  mkdir -p .tools
  npm install --prefix .tools --no-save --no-audit --no-fund --loglevel=error "bun@$BUN_VERSION" >&2
fi

# 2. JS dependencies, when bun.lock or package.json changed since the last install.
stamp=node_modules/.quilbun-install-stamp
if [ ! -f "$stamp" ] || [ bun.lock -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
  say "bun install --frozen-lockfile"
  "$bun" install --frozen-lockfile >&2
  touch "$stamp"
fi

# 3. Debian packages for the native crypto (GMP, FLINT, the offline Rust crates) and the tests.
lists=crates/debian-packages.txt
[ "${1:-}" = "--test" ] && lists="$lists test/debian-packages.txt"
pkgs=$(cat $lists | grep -v '^#' | tr '\n' ' ')
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else sudo="none"; fi
  if [ "$sudo" = none ] || ! command -v apt-get >/dev/null 2>&1; then
    say "WARNING: cannot install Debian packages:$missing (need root and apt-get); the native crypto may not build"
  else
    say "apt-get install$missing"
    log=$(mktemp)
    if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing; } >"$log" 2>&1; then
      cat "$log" >&2; say "apt-get failed"; exit 1
    fi
    rm -f "$log"
  fi
fi

# 4. The Rust cdylib, when missing or older than any crate source.
lib=crates/target/release/libquilcrypto.so
if command -v cargo >/dev/null 2>&1; then
  if [ ! -f "$lib" ] || [ -n "$(find crates -path crates/target -prune -o -newer "$lib" -type f \( -name '*.rs' -o -name 'Cargo.toml' -o -name 'Cargo.lock' -o -name '*.c' -o -name 'config.toml' \) -print | head -1)" ]; then
    say "cargo build --release (crates/)"
    (cd crates && cargo build --release --offline --quiet) >&2
    touch "$lib"
  fi
else
  say "WARNING: cargo not found; running without the native crypto library (pure-TS fallbacks, much slower)"
fi

mkdir -p reports
