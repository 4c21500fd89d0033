/**
 * Named moments of the app's start, as `performance` marks, each recorded
 * once: the app benchmark (`tests/e2e/app_bench.rs`) reads them to say how
 * long a person waits for the first rows and the count. Costs nothing else.
 */
export type StartMark = "eacdesk:first-rows" | "eacdesk:first-count";

export function markOnce(name: StartMark, perf: Pick<Performance, "mark" | "getEntriesByName"> = performance): void {
  if (perf.getEntriesByName(name, "mark").length === 0) perf.mark(name);
}

type Timing = Pick<Performance, "now" | "measure" | "getEntriesByName">;

/**
 * Times one backend call made before the first rows are shown, as a
 * `performance` measure named `ipc CMD` (the app benchmark lists them);
 * later calls are not recorded, so a long session keeps no growing list.
 * Returns what to call when the answer arrives.
 */
export function timeStartCall(cmd: string, perf: Timing = performance): () => void {
  if (perf.getEntriesByName("eacdesk:first-rows", "mark").length > 0) return () => {};
  const start = perf.now();
  return () => {
    perf.measure(`ipc ${cmd}`, { start, end: perf.now() });
  };
}
