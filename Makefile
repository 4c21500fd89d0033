# EAC Desk: the targets a newcomer needs.
#
#   make run    install what is missing, build the UI and the app, start it
#   make test   install what is missing, then every check CI runs
#   make package       release build + installable bundles (.deb, .rpm), sizes
#   make package-test  smoke test of those bundles (installs nothing)
#   make release-check one version everywhere, changelog, release hygiene
#   make fmt | lint | bench | ui | app
#   make fuzz   mutate valid CDS files and reference data against their readers for FUZZ_SECONDS (600)
#
# Installs only what is absent: Debian packages (checked with dpkg -s, as root
# or through sudo), the UI's npm packages (when ui/node_modules is missing or
# older than the lock file) and tauri-driver (cargo install). Rust and Node
# themselves must already be there.

SHELL := /bin/bash
.DEFAULT_GOAL := run
# Steps depend on each other's output (ui/dist is embedded into the app).
.NOTPARALLEL:

CARGO ?= cargo
NPM ?= npm
# Upper bound for the whole end-to-end suite (it normally takes well under a minute).
E2E_TIMEOUT ?= 900
# `make fuzz` runs this long (release build, a new seed each run unless
# FUZZ_SEED is set); `make test` runs the fuzzer with a fixed seed for at most
# FUZZ_TEST_SECONDS or FUZZ_TEST_ITERATIONS, whichever ends first, so a faster
# machine never reaches inputs a slower one has not seen.
FUZZ_SECONDS ?= 600
FUZZ_SEED ?=
FUZZ_TEST_SECONDS ?= 60
FUZZ_TEST_ITERATIONS ?= 4000

APT_BUILD := libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libayatana-appindicator3-dev \
	libsoup-3.0-dev libxdo-dev libssl-dev build-essential file pkg-config
APT_TEST := xvfb xauth webkit2gtk-driver imagemagick x11-utils sqlite3 \
	rpm xdotool desktop-file-utils libxml2-utils postgresql

SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
CARGO_BIN := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin
export PATH := $(CARGO_BIN):$(PATH)

# $(call apt_install,PACKAGES): install those not installed, one apt-get update first.
define apt_install
	@missing=""; \
	for p in $(1); do \
	  dpkg -s "$$p" 2>/dev/null | grep -q '^Status: install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "==> installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -q && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi
endef

# Print a phase banner with the time, so slow phases are easy to spot in CI logs.
phase = @echo "==> $(1) [$$(date +%T)]"

.PHONY: run test fmt lint doc bench ui app tools deps-run deps-test tauri-driver \
	fmt-check ui-check build-tests rust-test e2e fuzz fuzz-short \
	package package-test release-check package-smoke

## Start the desktop app on the default database (the same file the CLI uses).
# Runs the binary `app` just built: `cargo run -p eac-desk` alone would
# resolve features differently from that build and compile the shell again.
run: app
	"$${CARGO_TARGET_DIR:-target}/debug/eac-desk"

## Every check CI runs (.ci/run), from a cold machine.
test: deps-test ui/node_modules/.package-lock.json tauri-driver fmt-check ui-check ui lint build-tests \
	release-check rust-test fuzz-short e2e package-smoke
	$(call phase,all checks passed)

fmt:
	$(CARGO) fmt --all

fmt-check: tools
	$(call phase,cargo fmt --check)
	$(CARGO) fmt --all -- --check

# Clippy expands the app's embedded assets, so the UI must be built first.
lint: tools ui
	$(call phase,cargo clippy)
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(call phase,cargo doc (broken links fail))
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --workspace --no-deps --document-private-items

## The developers' documentation of every crate, private items included
## (target/doc/eac_store/index.html, …).
doc: tools ui
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --workspace --no-deps --document-private-items

bench: tools deps-test tauri-driver ui/node_modules/.package-lock.json
	LARGE_EACS=$${LARGE_EACS-$$((10 * $${EACS:-100000}))} ./scripts/bench.sh
	./scripts/bench-app.sh

## Structure-aware fuzzing of the CDS and reference-data readers (tests/fuzz); findings in target/fuzz/findings.
fuzz: tools
	$(call phase,fuzzing for $(FUZZ_SECONDS) s)
	$(CARGO) run --release -p eac-fuzz -- --seconds $(FUZZ_SECONDS) $(if $(FUZZ_SEED),--seed $(FUZZ_SEED))

# The short run of `make test`, with the debug binary build-tests made.
fuzz-short: build-tests
	$(call phase,fuzzing for $(FUZZ_TEST_SECONDS) s)
	"$${CARGO_TARGET_DIR:-target}/debug/eac-fuzz" --seconds $(FUZZ_TEST_SECONDS) \
	  --iterations $(FUZZ_TEST_ITERATIONS) --seed 1

## The web UI, built into ui/dist (embedded into every app binary).
ui: ui/node_modules/.package-lock.json
	$(call phase,UI build)
	cd ui && $(NPM) run build

ui-check: ui/node_modules/.package-lock.json
	$(call phase,UI check + unit tests)
	cd ui && $(NPM) run check
	cd ui && $(NPM) test

## The desktop app (debug build with the UI embedded) and the CLI.
app: deps-run tools ui
	$(call phase,app build)
	$(CARGO) build -p eac-desk -p eac-cli

# One build for everything cargo test and the E2E suite need: test binaries,
# the app binary (target/debug/eac-desk) and the CLI (target/debug/eacdesk),
# all with the same features, so Tauri compiles once.
build-tests: tools ui
	$(call phase,app + test build)
	$(CARGO) test --workspace --no-run

# With a throwaway PostgreSQL cluster (team mode, issue 17) for the tests
# that need a server; stopped and removed whatever the tests do. The store's
# suite then runs a second time with every test on a server database (one
# suite, two backends: EACDESK_TEST_BACKEND, crates/eac-store/tests/store.rs).
rust-test: build-tests deps-test
	$(call phase,cargo test --workspace (with a throwaway PostgreSQL server))
	pgdir=$$(mktemp -d /tmp/eacdesk-pg.XXXXXX) && \
	  trap 'scripts/pg-cluster.sh stop "'"$$pgdir"'"' EXIT && \
	  pg=$$(scripts/pg-cluster.sh start "$$pgdir") && \
	  EACDESK_TEST_PG="$$pg" EACDESK_REQUIRE_PG=1 $(CARGO) test --workspace && \
	  echo "== the store's suite on PostgreSQL" && \
	  EACDESK_TEST_PG="$$pg" EACDESK_TEST_BACKEND=postgres $(CARGO) test -p eac-store --test store

# The real app in real WebKit under a virtual display; each test starts its
# own tauri-driver on a fresh database, one test at a time. The team-mode
# scenario runs the app on a throwaway PostgreSQL cluster, stopped and
# removed whatever the tests do.
e2e: build-tests tauri-driver deps-test
	$(call phase,E2E suite)
	$(CARGO) test --workspace --test e2e --no-run
	pgdir=$$(mktemp -d /tmp/eacdesk-pg.XXXXXX) && \
	  trap 'scripts/pg-cluster.sh stop "'"$$pgdir"'"' EXIT && \
	  pg=$$(scripts/pg-cluster.sh start "$$pgdir") && \
	  EACDESK_TEST_PG="$$pg" EACDESK_REQUIRE_PG=1 \
	  timeout -k 30 $(E2E_TIMEOUT) xvfb-run -a -s "-screen 0 1280x1024x24" \
	  $(CARGO) test --workspace --test e2e -- --include-ignored --test-threads=1

## Installable bundles from a release build (the Tauri bundler; the CLI
## inside): .deb and .rpm here, app/DMG on macOS, NSIS/MSI on Windows; prints
## the binary and bundle sizes. AppImage: see docs/packaging.md.
package: deps-run tools ui
	$(call phase,release build + bundles)
	./scripts/package.sh

## Smoke test of what `make package` made: control data, file lists, the
## packaged app's window under Xvfb, the packaged `eacdesk --version`.
package-test: deps-test
	$(call phase,package smoke test)
	./scripts/package-test.sh

## One version everywhere (crates, app, UI, CHANGELOG.md, the built CLI), no
## devtools, strict CSP.
release-check: tools ui/node_modules/.package-lock.json
	$(call phase,release check)
	./scripts/release-check.sh

# `make test`'s package smoke test: the same bundler, configuration and
# checks, over the debug binaries build-tests made, so CI compiles nothing
# twice (a release build would add its own full compile).
package-smoke: build-tests deps-test
	$(call phase,packages of the debug build + smoke test)
	PROFILE=debug SKIP_BUILD=1 ./scripts/package.sh
	timeout -k 10 300 env PROFILE=debug ./scripts/package-test.sh

ui/node_modules/.package-lock.json: ui/package-lock.json ui/package.json | tools
	$(call phase,npm ci)
	cd ui && $(NPM) ci --no-audit --no-fund
	touch $@

tools:
	@command -v $(CARGO) >/dev/null || { echo "Rust is needed (cargo not found): https://rustup.rs"; exit 1; }
	@command -v $(NPM) >/dev/null || { echo "Node.js 20+ with npm is needed (npm not found)"; exit 1; }

deps-run:
	$(call phase,Debian packages for building and running)
	$(call apt_install,$(APT_BUILD))

deps-test:
	$(call phase,Debian packages for building and testing)
	$(call apt_install,$(APT_BUILD) $(APT_TEST))

tauri-driver: tools
	@command -v tauri-driver >/dev/null || { \
	  echo "==> installing tauri-driver"; \
	  $(CARGO) install tauri-driver --version '^2' --locked; }
