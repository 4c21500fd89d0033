// "Load sample data": made-up EACs go into a separate sample database when
// the open one already holds EACs (issue 9 item 17), unless the user chooses
// to mix them in.

import type { SamplePlan } from "./types";
import { plural } from "./decimal";
import { baseName } from "./paths";

export type SampleTarget = "separate" | "here";

/** Where the dialog points first: the separate database whenever the open one holds EACs. */
export function defaultSampleTarget(plan: SamplePlan | null): SampleTarget {
  return plan?.separate ? "separate" : "here";
}

/** The run button: says where the EACs go. */
export function sampleRunLabel(target: SampleTarget, plan: SamplePlan | null, running: boolean): string {
  if (running) return "Loading…";
  if (target === "separate" && plan) return `Load into ${baseName(plan.sample_path)}`;
  if (plan?.separate) return "Add to this database anyway";
  return "Load sample data";
}

/** Why the open database is not the default target, in plain words. */
export function separateReason(plan: SamplePlan): string {
  return `This database already holds ${plural(plan.open_eac_count, "EAC")}. Sample EACs are made up, so by default they go into a separate sample database and your data stays as it is.`;
}

/** After switching: how to get back. */
export function switchedText(plan: SamplePlan): string {
  return `Now showing the sample database ${plan.sample_path}. Your own database was not changed; to go back, use “Open database…” and open ${plan.open_path}.`;
}
