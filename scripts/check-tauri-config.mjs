// Release hygiene of src-tauri/tauri.conf.json (run by scripts/release-check.sh):
// prints one line per check, exits 1 when one fails.
import { readFileSync } from "node:fs";

const [path, version] = process.argv.slice(2);
const c = JSON.parse(readFileSync(path, "utf8"));
const csp = c.app?.security?.csp ?? {};
const self = "'self'";
const checks = [
  ["no version of its own, or the workspace's", c.version === undefined || c.version === version],
  ["no global __TAURI__ object", !c.app?.withGlobalTauri],
  ["no dev server (build.devUrl)", !c.build?.devUrl],
  ["CSP default-src 'self'", csp["default-src"] === self],
  ["CSP script-src 'self' (no inline or eval)", csp["script-src"] === self],
  ["CSP object-src 'none'", csp["object-src"] === "'none'"],
  ["CSP connect-src only IPC (no network)", !/https?:\/\/(?!ipc\.localhost)/.test(csp["connect-src"] ?? "")],
  ["bundle version not overridden", c.bundle?.version === undefined],
];
let failed = 0;
for (const [what, good] of checks) {
  console.log(`  ${good ? "ok" : "FAIL"}: tauri.conf.json: ${what}`);
  if (!good) failed++;
}
process.exit(failed ? 1 : 0);
