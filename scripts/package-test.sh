#!/usr/bin/env bash
# Smoke test of the Linux packages `scripts/package.sh` made (`make
# package-test`; `make test` runs it on the debug build's packages).
#
#  1. the .deb's control data (name, the workspace version, Depends on
#     WebKitGTK 4.1 and GTK 3) and file list (both binaries, the desktop
#     entry, icons at every size, the MIME type), with `dpkg-deb -I/-c`;
#  2. the .rpm's header and file list with `rpm -qp` (when rpm is there);
#  3. the .deb extracted into a temporary root (`dpkg-deb -x`): the desktop
#     entry's fields, the packaged `eacdesk --version`, a sample database
#     made with the packaged CLI, and the packaged app started on it under
#     Xvfb until its window is mapped with the database in its title and
#     the page has painted (screenshot in target/package-test/window.png).
#
# Environment: PROFILE (release | debug), WINDOW_TIMEOUT (seconds, 60).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
PROFILE=${PROFILE:-release}
target=$(realpath -m "${CARGO_TARGET_DIR:-target}")
bundle="$target/$PROFILE/bundle"
report="$target/package-test"
version=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)

failures=0
fail() { echo "  FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "  ok: $*"; }
has() { # has WHAT TEXT PATTERN: fixed-string match, one line per check
  if grep -qF -- "$3" <<<"$2"; then ok "$1"; else fail "$1 (no '$3')"; fi
}

shopt -s nullglob
debs=("$bundle"/deb/*.deb)
rpms=("$bundle"/rpm/*.rpm)
[ ${#debs[@]} -eq 1 ] || { echo "expected one .deb in $bundle/deb (run make package)" >&2; exit 1; }
deb=${debs[0]}
rm -rf "$report" && mkdir -p "$report"

echo "==> .deb control data: ${deb#"$root"/}"
info=$(dpkg-deb -I "$deb")
has "package name" "$info" "Package: eac-desk"
has "version $version" "$info" "Version: $version"
has "architecture" "$info" "Architecture: amd64"
depends=$(dpkg-deb -f "$deb" Depends)
has "Depends on WebKitGTK 4.1" "$depends" "libwebkit2gtk-4.1-0"
has "Depends on GTK 3" "$depends" "libgtk-3-0"
has "Depends on shared-mime-info" "$depends" "shared-mime-info"
has "maintainer (publisher)" "$info" "Maintainer: EAC Desk contributors"
has "short description" "$info" "Description: Keep, check and hand over Energy Attribute Certificates"

echo "==> .deb file list"
# (paths as "./usr/…" or "usr/…", depending on the tar that wrote them)
list=$(dpkg-deb -c "$deb" | sed 's# \./# #')
has "the app in /usr/bin" "$list" " usr/bin/eac-desk"
has "the CLI in /usr/bin" "$list" " usr/bin/eacdesk"
has "desktop entry" "$list" " usr/share/applications/EAC Desk.desktop"
has "MIME type for CDS JSON" "$list" " usr/share/mime/packages/eac-desk.xml"
for size in 16 24 32 48 64 128 256 512; do
  has "icon ${size}px" "$list" " usr/share/icons/hicolor/${size}x${size}/apps/eac-desk.png"
done
# Install writes nothing in anyone's home or data folder.
if grep -E ' (home|root|var/lib|etc)/' <<<"$list"; then fail "files outside /usr"; else ok "only files under /usr"; fi
if dpkg-deb --ctrl-tarfile "$deb" | tar -t | grep -qE 'postinst|preinst'; then
  fail "maintainer scripts (install must not write user data)"
else
  ok "no maintainer scripts"
fi

if [ ${#rpms[@]} -eq 1 ] && command -v rpm >/dev/null; then
  echo "==> .rpm: ${rpms[0]#"$root"/}"
  rinfo=$(rpm -qpi "${rpms[0]}" 2>/dev/null)
  has "rpm name" "$rinfo" "eac-desk"
  has "rpm version $version" "$rinfo" "$version"
  rlist=$(rpm -qpl "${rpms[0]}" 2>/dev/null)
  has "rpm: the app" "$rlist" "/usr/bin/eac-desk"
  has "rpm: the CLI" "$rlist" "/usr/bin/eacdesk"
  has "rpm: desktop entry" "$rlist" "/usr/share/applications/EAC Desk.desktop"
  has "rpm: MIME type" "$rlist" "/usr/share/mime/packages/eac-desk.xml"
  has "rpm: Requires WebKitGTK 4.1" "$(rpm -qpR "${rpms[0]}" 2>/dev/null)" "libwebkit2gtk-4.1.so.0"
elif [ ${#rpms[@]} -eq 0 ]; then
  fail "no .rpm in $bundle/rpm"
else
  echo "  (rpm not installed: .rpm contents not checked)"
fi

echo "==> extracted into a temporary root"
tmp=$(mktemp -d)
app_pid=""
xvfb_pid=""
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
dpkg-deb -x "$deb" "$tmp/root"
bin="$tmp/root/usr/bin"
desktop=$(cat "$tmp/root/usr/share/applications/EAC Desk.desktop")
has "desktop: name" "$desktop" "Name=EAC Desk"
has "desktop: opens files" "$desktop" "Exec=eac-desk %F"
has "desktop: categories" "$desktop" "Categories=Office;Finance;"
has "desktop: MIME type" "$desktop" "MimeType=application/x-lfenergy-cds+json;"
has "desktop: icon" "$desktop" "Icon=eac-desk"
if command -v desktop-file-validate >/dev/null; then
  if desktop-file-validate "$tmp/root/usr/share/applications/EAC Desk.desktop"; then ok "desktop-file-validate"; else fail "desktop-file-validate"; fi
fi
if command -v xmllint >/dev/null; then
  xmllint --noout "$tmp/root/usr/share/mime/packages/eac-desk.xml" && ok "MIME XML well-formed" || fail "MIME XML"
fi

# Everything the packaged programs write goes into the temporary folder.
export HOME="$tmp/home" XDG_DATA_HOME="$tmp/home/data" XDG_CONFIG_HOME="$tmp/home/config"
export EACDESK_DB="$tmp/work/sample.sqlite"
mkdir -p "$HOME" "$tmp/work"
cli_version=$("$bin/eacdesk" --version)
if [ "$cli_version" = "eacdesk $version" ]; then ok "packaged eacdesk --version: $cli_version"; else fail "packaged eacdesk --version said '$cli_version', not 'eacdesk $version'"; fi
"$bin/eacdesk" sample --eacs 20 >/dev/null && ok "packaged eacdesk made a sample database" || fail "eacdesk sample"
"$bin/eacdesk" sample --eacs 3 --seed 7 --out "$tmp/work/march.cds.json" >/dev/null

echo "==> the packaged app under Xvfb"
display=":$((90 + RANDOM % 400))"
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >"$report/xvfb.log" 2>&1 &
xvfb_pid=$!
for _ in $(seq 50); do xdpyinfo -display "$display" >/dev/null 2>&1 && break; sleep 0.1; done
# Started as a desktop entry would start it: with a CDS file to open.
DISPLAY=$display "$bin/eac-desk" "$tmp/work/march.cds.json" >"$report/app.log" 2>&1 &
app_pid=$!
# Shown = the window is mapped under the title the app gives it once the
# database is open, and the page has painted (more than a background).
title="EAC Desk — $EACDESK_DB"
window=""
painted=""
deadline=$(($(date +%s) + ${WINDOW_TIMEOUT:-60}))
while [ "$(date +%s)" -lt "$deadline" ] && kill -0 "$app_pid" 2>/dev/null; do
  if [ -z "$window" ]; then
    id=$(DISPLAY=$display xdotool search --onlyvisible --name '^EAC Desk' 2>/dev/null | head -1 || true)
    if [ -n "$id" ] && [ "$(DISPLAY=$display xdotool getwindowname "$id")" = "$title" ]; then
      window="$title ($(DISPLAY=$display xwininfo -id "$id" | sed -n 's/.*-geometry //p'))"
    fi
  else
    DISPLAY=$display import -window root "$report/window.png" 2>/dev/null || true
    colours=$(convert "$report/window.png" -format %k info: 2>/dev/null || echo 0)
    if [ "$colours" -gt 100 ]; then
      painted="$colours colours"
      # the screenshot a person looks at: once the data and dialogs are up
      sleep 4
      DISPLAY=$display import -window root "$report/window.png" 2>/dev/null || true
      break
    fi
  fi
  sleep 1
done
if [ -n "$window" ]; then ok "window shown: $window"; else fail "no window titled '$title' within ${WINDOW_TIMEOUT:-60} s"; fi
if [ -n "$painted" ]; then
  ok "page painted ($painted): ${report#"$root"/}/window.png"
  kill -0 "$app_pid" 2>/dev/null && ok "app still running" || fail "app exited after showing its window"
else
  fail "the window stayed blank (screenshot: ${report#"$root"/}/window.png)"
fi
if [ $failures -gt 0 ]; then
  echo "  app log ($report/app.log):"
  tail -20 "$report/app.log" || true
fi

echo "==> package test: $failures failed"
[ "$failures" -eq 0 ]
