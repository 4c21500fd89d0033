// Release hygiene of src-tauri/tauri.conf.json (run by scripts/release-check.sh):
// prints one line per check, exits 1 when one fails.
import { readFileSync } from "node:fs";

const [path, version] = process.argv.slice(2);
const c = JSON.parse(readFileSync(path, "utf8"));
const csp = c.app?.security?.csp ?? {};
const self = "'self'";
const none = "'none'";
// A directive's sources; a CSP given as one string is split at its `;`.
const directives =
  typeof csp === "string"
    ? Object.fromEntries(
        csp
          .split(";")
          .map((d) => d.trim().split(/\s+/))
          .filter((d) => d[0])
          .map(([name, ...sources]) => [name, sources.join(" ")]),
      )
    : csp;
const sources = (name) => (directives[name] ?? "").split(/\s+/).filter(Boolean);
// Only `allowed` (and at least one source: a directive left out falls back to default-src
// or, for base-uri, form-action and frame-ancestors, allows everything).
const onlyOf = (name, allowed) => sources(name).length > 0 && sources(name).every((s) => allowed.includes(s));
const checks = [
  ["no version of its own, or the workspace's", c.version === undefined || c.version === version],
  ["no global __TAURI__ object", !c.app?.withGlobalTauri],
  ["no dev server (build.devUrl)", !c.build?.devUrl],
  ["CSP default-src 'self'", directives["default-src"] === self],
  ["CSP script-src 'self' (no inline or eval)", directives["script-src"] === self],
  ["CSP object-src 'none'", directives["object-src"] === none],
  ["CSP connect-src only IPC (no network)", onlyOf("connect-src", [self, "ipc:", "http://ipc.localhost"])],
  // The UI sets styles through the CSSOM only (Svelte's style: directives, element.style),
  // which CSP allows: no inline style attribute or element, no remote style sheet.
  ["CSP style-src 'self' (no inline styles)", directives["style-src"] === self],
  ["CSP img-src and font-src only the app and data: (no network)", onlyOf("img-src", [self, "data:"]) && onlyOf("font-src", [self, "data:"])],
  ["CSP base-uri 'none'", directives["base-uri"] === none],
  ["CSP form-action 'none'", directives["form-action"] === none],
  ["CSP frame-ancestors 'none'", directives["frame-ancestors"] === none],
  ["bundle version not overridden", c.bundle?.version === undefined],
];
let failed = 0;
for (const [what, good] of checks) {
  console.log(`  ${good ? "ok" : "FAIL"}: tauri.conf.json: ${what}`);
  if (!good) failed++;
}
process.exit(failed ? 1 : 0);
