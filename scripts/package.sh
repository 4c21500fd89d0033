#!/usr/bin/env bash
# Installable bundles with the Tauri bundler (`make package`).
#
# Builds the app and the CLI (`PROFILE=release`, the default, or `debug`,
# which `make test` uses to smoke-test the packaging without a second
# compile), then `tauri bundle` (the Tauri CLI from ui/node_modules: a
# prebuilt binary from the npm registry) with the platform's overlay from
# src-tauri/packaging/. The overlay's CLI path is pointed at the profile's
# build. Prints the binary and bundle sizes.
#
# Environment: PROFILE (release | debug), BUNDLES (Linux default `deb,rpm`;
# `appimage` needs linuxdeploy from the internet, see docs/packaging.md),
# SKIP_BUILD=1 to bundle binaries already built.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
PROFILE=${PROFILE:-release}
CARGO=${CARGO:-cargo}
target=$(realpath -m "${CARGO_TARGET_DIR:-target}")
out="$target/$PROFILE"
tauri="$root/ui/node_modules/.bin/tauri"
[ -x "$tauri" ] || { echo "The Tauri CLI is missing: run 'cd ui && npm ci' (make does it)." >&2; exit 1; }

case "$(uname -s)" in
  Linux) overlay=linux.json; exe=""; default_bundles="deb,rpm" ;;
  Darwin) overlay=macos.json; exe=""; default_bundles="app,dmg" ;;
  MINGW* | MSYS* | CYGWIN*) overlay=windows.json; exe=".exe"; default_bundles="nsis,msi" ;;
  *) echo "No packaging for $(uname -s)" >&2; exit 1 ;;
esac
BUNDLES=${BUNDLES:-$default_bundles}

profile_flag=()
debug_flag=()
if [ "$PROFILE" = release ]; then profile_flag=(--release); else debug_flag=(--debug); fi

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  start=$(date +%s)
  # One build of both binaries with one feature set (as `make app` does).
  "$CARGO" build "${profile_flag[@]}" -p eac-desk -p eac-cli
  echo "==> $PROFILE build: $(($(date +%s) - start)) s"
fi

# Release binaries ship without their debug info: with line tables they
# are 170 and 110 MB, without 35 and 25 MB (the symbol table stays, so a
# panic's backtrace still names functions). The debug info is kept beside
# them as NAME.debug, linked from the binary (.gnu_debuglink), to turn a
# crash report's addresses into files and lines (docs/packaging.md).
# Only a binary that still has its debug info is split (a second run with
# SKIP_BUILD=1 keeps the first split).
if [ "$PROFILE" = release ] && [ "$overlay" = linux.json ]; then
  for bin in "$out/eac-desk" "$out/eacdesk"; do
    if objdump -h "$bin" | grep -q '[.]debug_line'; then
      objcopy --only-keep-debug "$bin" "$bin.debug"
      objcopy --strip-debug --add-gnu-debuglink="$bin.debug" "$bin"
      echo "==> debug info of ${bin#"$root"/} moved to ${bin#"$root"/}.debug"
    fi
  done
fi

# The CLI inside the package is this profile's build.
cli="$out/eacdesk$exe"
case "$overlay" in
  linux.json) files="{\"bundle\":{\"linux\":{\"deb\":{\"files\":{\"/usr/bin/eacdesk\":\"$cli\"}},\"rpm\":{\"files\":{\"/usr/bin/eacdesk\":\"$cli\"}}}}}" ;;
  macos.json) files="{\"bundle\":{\"macOS\":{\"files\":{\"MacOS/eacdesk\":\"$cli\"}}}}" ;;
  windows.json) files="{\"bundle\":{\"resources\":{\"$cli\":\"eacdesk.exe\"}}}" ;;
esac

rm -rf "$out/bundle"
# No updater is built in (docs/packaging.md), so the binary is not patched
# with the bundle type the updater reads.
"$tauri" bundle "${debug_flag[@]}" --ci --no-binary-patching --bundles "$BUNDLES" \
  --config "$root/src-tauri/packaging/$overlay" --config "$files"

echo "==> sizes ($PROFILE)"
for f in "$out/eac-desk$exe" "$cli"; do
  printf '  %8s KiB  %s\n' "$(($(wc -c <"$f") / 1024))" "${f#"$root"/}"
done
find "$out/bundle" -maxdepth 2 -type f \( -name '*.deb' -o -name '*.rpm' -o -name '*.AppImage' -o -name '*.msi' -o -name '*.exe' -o -name '*.dmg' \) -print0 |
  while IFS= read -r -d '' f; do
    printf '  %8s KiB  %s\n' "$(($(wc -c <"$f") / 1024))" "${f#"$root"/}"
  done
