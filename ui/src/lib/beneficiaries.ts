// Rules for the beneficiary editor, checked while the person types.

import type { BeneficiaryAssignment, BeneficiaryType } from "./types";
import { beneficiaryTypeLabel } from "./labels";
import { reasonProblem } from "./reason";

export interface BeneficiaryValidation {
  /** One entry per id: an error message or null. */
  itemErrors: (string | null)[];
  /** Problems that block saving. */
  errors: string[];
  /** Worth knowing, but saving is allowed. */
  warnings: string[];
  /** True when nothing blocks saving. */
  ok: boolean;
}

export const GENERAL_EXPLANATION =
  "The type “General” means the certificate is for everyone, so it has no beneficiary ids.";

export function validateBeneficiaries(
  type: BeneficiaryType,
  ids: readonly string[],
): BeneficiaryValidation {
  const itemErrors: (string | null)[] = ids.map(() => null);
  const errors: string[] = [];
  const warnings: string[] = [];

  if (type === "general") {
    if (ids.length > 0) {
      errors.push(`${GENERAL_EXPLANATION} Remove the ${ids.length === 1 ? "id" : ids.length + " ids"} or choose another type.`);
    }
    return { itemErrors, errors, warnings, ok: errors.length === 0 };
  }

  const seen = new Map<string, number>();
  ids.forEach((raw, i) => {
    const id = raw.trim();
    if (id === "") {
      itemErrors[i] = "An id cannot be empty. Type an id or remove this line.";
      return;
    }
    const first = seen.get(id);
    if (first !== undefined) {
      itemErrors[i] = `“${id}” is already in the list (line ${first + 1}).`;
      return;
    }
    seen.set(id, i);
  });
  const bad = itemErrors.filter((e) => e !== null).length;
  if (bad > 0) errors.push(bad === 1 ? "One id needs attention." : `${bad} ids need attention.`);

  if (ids.length === 0) {
    warnings.push(
      `No beneficiary ids: the certificate will be of type “${beneficiaryTypeLabel(type)}” without naming anyone. Add at least one id, or choose “General”.`,
    );
  }
  return { itemErrors, errors, warnings, ok: errors.length === 0 };
}

/** Problem with the text in the "add an id" field, or null when it can be added. */
export function newIdProblem(
  type: BeneficiaryType,
  ids: readonly string[],
  input: string,
): string | null {
  if (type === "general") return GENERAL_EXPLANATION;
  const id = input.trim();
  if (id === "") return "Type an id first.";
  if (ids.some((x) => x.trim() === id)) return `“${id}” is already in the list.`;
  return null;
}

/** Add one or several ids (one per line) that are not empty and not yet present. */
export function addIds(ids: readonly string[], input: string): string[] {
  const out = [...ids];
  for (const part of input.split(/\r?\n/)) {
    const id = part.trim();
    if (id !== "" && !out.some((x) => x.trim() === id)) out.push(id);
  }
  return out;
}

/**
 * The ids Save and "Apply to all" write: the list plus the id still typed in
 * the "new id" field (not yet added with Enter), so nothing typed is dropped.
 * Text that cannot be added (a repeat, or any text under "General") is left
 * out here and blocks saving through `pendingIdProblem`.
 */
export function idsToSave(type: BeneficiaryType, ids: readonly string[], input: string): string[] {
  if (type === "general" || input.trim() === "" || newIdProblem(type, ids, input) !== null) return [...ids];
  return addIds(ids, input);
}

/** Why the typed, not yet added id blocks saving, or null (empty field, or an id Save will add). */
export function pendingIdProblem(type: BeneficiaryType, ids: readonly string[], input: string): string | null {
  if (type === "general" || input.trim() === "") return null;
  const problem = newIdProblem(type, ids, input);
  return problem === null ? null : `${problem} Clear the “new id” field before saving.`;
}

/** Ids as they will be saved: trimmed. */
export function normalizeIds(ids: readonly string[]): string[] {
  return ids.map((x) => x.trim());
}

/** An assignment as stored; the type is null while a registry import lacks it. */
export type StoredAssignment = {
  beneficiary_type: BeneficiaryAssignment["beneficiary_type"] | null;
  beneficiaries: string[];
};

export function sameAssignment(a: StoredAssignment, b: StoredAssignment): boolean {
  if (a.beneficiary_type !== b.beneficiary_type) return false;
  const x = normalizeIds(a.beneficiaries);
  const y = normalizeIds(b.beneficiaries);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** What the editor starts from: the stored assignment, or "customer" with no ids while the type is missing. */
export function editorStart(stored: StoredAssignment): BeneficiaryAssignment {
  return { beneficiary_type: stored.beneficiary_type ?? "customer", beneficiaries: [...stored.beneficiaries] };
}

/**
 * Whether the editor holds edits the user would lose (asked about before
 * showing another EAC or closing): what it shows differs from where it
 * started. An EAC whose type is missing is not "edited" just by being shown
 * with the editor's starting type.
 */
export function hasUnsavedEdits(stored: StoredAssignment, current: BeneficiaryAssignment): boolean {
  return !sameAssignment(editorStart(stored), current);
}

/**
 * Whether a freshly loaded EAC should replace what the editor holds. A reload
 * of the same EAC whose stored beneficiaries did not change (an import, a
 * refresh, "mark verified") keeps the user's unsaved edits; another EAC, or a
 * stored assignment that changed (a save, an edit elsewhere), starts afresh.
 */
export function reloadReplacesEdits(
  loaded: { id: string; assignment: BeneficiaryAssignment } | null,
  next: { id: string; assignment: BeneficiaryAssignment },
): boolean {
  return loaded === null || editorLoadKey(loaded.id, loaded.assignment) !== editorLoadKey(next.id, next.assignment);
}

/**
 * What the editor's fields are filled from, as one string: equal for two
 * loads exactly when the second keeps the user's edits (`reloadReplacesEdits`
 * is false), so the editor can derive its fields from it.
 */
export function editorLoadKey(
  id: string,
  assignment: StoredAssignment,
): string {
  return JSON.stringify([id, assignment.beneficiary_type, normalizeIds(assignment.beneficiaries)]);
}

/**
 * Why Save is disabled, or null when it may be pressed. An assignment left
 * as it is saves as a review (decisions 15 and 319, as `eacdesk
 * beneficiaries set` with the same type and ids): recorded in History with
 * its reason, the EAC unchanged; only the reason is asked for then.
 */
export function saveBlocker(opts: {
  validation: BeneficiaryValidation;
  reason: string;
  dirty: boolean;
  busy: boolean;
  /** what is wrong with the text still in the "new id" field (see `pendingIdProblem`) */
  pending?: string | null;
}): string | null {
  if (opts.busy) return "Saving…";
  if (opts.pending) return opts.pending;
  if (!opts.validation.ok) return "Fix the problems shown above first.";
  if (opts.reason.trim() === "")
    return opts.dirty
      ? "Write a reason for the change."
      : "Nothing has changed. To record in History that you reviewed these beneficiaries as they are, write a reason.";
  const reasonIssue = reasonProblem(opts.reason);
  if (reasonIssue) return reasonIssue;
  return null;
}

/** What Save does: save the change, or record a review of the assignment as it is. */
export function saveLabel(dirty: boolean, busy: boolean): string {
  if (busy) return "Saving…";
  return dirty ? "Save" : "Record as reviewed";
}

/** "Customer: C-1, C-2" / "General (everyone)" — for history rows and dialogs. */
export function describeAssignment(a: BeneficiaryAssignment): string {
  const label = beneficiaryTypeLabel(a.beneficiary_type);
  if (a.beneficiaries.length === 0) return label;
  return `${label}: ${a.beneficiaries.join(", ")}`;
}

/** Compact cell text: "C-1, C-2 +3" (first `max` ids, then how many more). */
export function truncateIds(ids: readonly string[], max = 2): { shown: string; more: number } {
  const shown = ids.slice(0, max).join(", ");
  return { shown, more: Math.max(0, ids.length - max) };
}

/**
 * The question when the type changes while ids of the old type are listed
 * (a customer id is not an account id): null when there is nothing to ask
 * (no ids, the same type, or to/from "general", which clears and restores
 * the list by itself).
 */
export function typeChangeQuestion(from: BeneficiaryType, to: BeneficiaryType, count: number): string | null {
  if (count === 0 || from === to || from === "general" || to === "general") return null;
  const them = count === 1 ? "The id in the list is" : `The ${count} ids in the list are`;
  return `${them} ${beneficiaryTypeLabel(from)} ids. Keep ${count === 1 ? "it" : "them"} as ${beneficiaryTypeLabel(to)} ids, or remove ${count === 1 ? "it" : "them"}?`;
}
