// Latest progress event per operation id, fed by the global `progress` listener.

import type { ProgressEvent } from "./types";
import { api, newOpId } from "./api";
import { friendlyError, isCancelled, type FriendlyError, type FriendlyOptions } from "./errors";

export const progress: Record<string, ProgressEvent> = $state({});

export function recordProgress(e: ProgressEvent): void {
  progress[e.op_id] = e;
}

export function forgetProgress(opId: string): void {
  delete progress[opId];
}

/** One cancellable long operation (import, export, bulk edit, sample data). */
export class Operation {
  opId: string | null = $state(null);
  cancelling = $state(false);
  /** set when the last run ended with an error (cancelled included) */
  error: FriendlyError | null = $state(null);
  cancelled = $state(false);
  /** the raw rejection of the last run (e.g. to read validation violations) */
  rawError: unknown = $state.raw(null);

  /** How its error is put into words (`friendlyError`'s options, e.g. the view it runs in). */
  private readonly words: FriendlyOptions;

  constructor(words: FriendlyOptions = {}) {
    this.words = words;
  }

  get running(): boolean {
    return this.opId !== null;
  }

  get event(): ProgressEvent | null {
    return this.opId ? (progress[this.opId] ?? null) : null;
  }

  /** Runs `fn` with a fresh op id. Resolves to the result, or null on error (see `error`). */
  async run<T>(fn: (opId: string) => Promise<T>): Promise<T | null> {
    const id = newOpId();
    this.opId = id;
    this.cancelling = false;
    this.cancelled = false;
    this.error = null;
    this.rawError = null;
    try {
      return await fn(id);
    } catch (e) {
      this.rawError = e;
      this.cancelled = isCancelled(e);
      this.error = friendlyError(e, this.words);
      return null;
    } finally {
      forgetProgress(id);
      this.opId = null;
      this.cancelling = false;
    }
  }

  async cancel(): Promise<void> {
    if (!this.opId || this.cancelling) return;
    this.cancelling = true;
    try {
      await api.cancelOperation(this.opId);
    } catch {
      // the operation may have just finished; its own result tells the story
    }
  }
}
