#!/usr/bin/env bash
# `make release-check` (part of `make test`): one version everywhere, a
# changelog entry for it, and release hygiene of the app's configuration.
#
#  - every crate takes `version.workspace = true`; tauri.conf.json names no
#    version of its own (Tauri then reads the app crate's, the workspace's);
#    ui/package.json and its lock file say the same version;
#  - CHANGELOG.md (Keep a Changelog) has `## [Unreleased]` and, as its
#    newest release, `## [<version>] - YYYY-MM-DD`;
#  - the built CLI (when there is one) prints `eacdesk <version>`;
#  - the app never enables Tauri's `devtools` feature (no Inspect Element
#    in a release build), no global `__TAURI__`, and the CSP stays strict
#    (scripts and styles only from the app itself, no inline styles, no
#    remote connections, images or fonts, no base URL, form or framing).
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO=${CARGO:-cargo}
target=${CARGO_TARGET_DIR:-target}
failures=0
fail() { echo "  FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "  ok: $*"; }

version=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)
[ -n "$version" ] || { echo "no [workspace.package] version in Cargo.toml" >&2; exit 1; }
echo "==> version $version"

for manifest in crates/*/Cargo.toml src-tauri/Cargo.toml tests/Cargo.toml tests/*/Cargo.toml; do
  if grep -q '^version\.workspace = true' "$manifest"; then :; else fail "$manifest does not take version.workspace = true"; fi
done
ok "every crate takes the workspace version"

conf=src-tauri/tauri.conf.json
ui_version=$(node -p 'require("./ui/package.json").version')
lock_version=$(node -p 'require("./ui/package-lock.json").version')
[ "$ui_version" = "$version" ] && ok "ui/package.json" || fail "ui/package.json says $ui_version"
[ "$lock_version" = "$version" ] && ok "ui/package-lock.json" || fail "ui/package-lock.json says $lock_version"

if grep -q '^## \[Unreleased\]' CHANGELOG.md; then ok "CHANGELOG.md has [Unreleased]"; else fail "CHANGELOG.md has no '## [Unreleased]'"; fi
newest=$(grep -m1 -E '^## \[[0-9]' CHANGELOG.md || true)
if [[ "$newest" =~ ^'## ['"$version"'] - '[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]]; then
  ok "CHANGELOG.md: $newest"
else
  fail "CHANGELOG.md's newest release is '${newest:-none}', not '## [$version] - YYYY-MM-DD'"
fi
if grep -q "^\[$version\]: " CHANGELOG.md; then ok "CHANGELOG.md links [$version]"; else fail "CHANGELOG.md has no '[$version]: ' link line"; fi

for cli in "$target/debug/eacdesk" "$target/release/eacdesk"; do
  [ -x "$cli" ] || continue
  said=$("$cli" --version)
  [ "$said" = "eacdesk $version" ] && ok "$cli --version: $said" || fail "$cli --version says '$said'"
done

echo "==> release hygiene"
# --locked: a check never rewrites Cargo.lock.
if features=$("$CARGO" tree --locked -p eac-desk -e features --prefix none 2>&1); then
  if grep -q 'tauri feature "devtools"' <<<"$features"; then fail "Tauri's devtools feature is on"; else ok "no devtools feature (no Inspect Element in release)"; fi
else
  fail "cargo tree failed: $(tail -1 <<<"$features")"
fi
node scripts/check-tauri-config.mjs "$conf" "$version" || failures=$((failures + 1))

echo "==> release check: $failures failed"
[ "$failures" -eq 0 ]
