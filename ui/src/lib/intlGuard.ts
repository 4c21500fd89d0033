// Some systems run with LANG=C (CI machines, minimal desktops). WebKit then
// reports navigator.language = "C", which is not a valid BCP 47 tag, and
// `new Intl.NumberFormat(navigator.language)` throws a RangeError. uPlot does
// exactly that when its module loads, which would stop the whole UI. This
// module (imported first, from main.ts) replaces an invalid language with
// "en-US" before anything else runs. It changes nothing when the tag is valid.

export function validLanguageTag(tag: unknown): boolean {
  if (typeof tag !== "string" || tag === "") return false;
  try {
    new Intl.NumberFormat(tag);
    return true;
  } catch {
    return false;
  }
}

export function installIntlGuard(nav: Navigator | undefined = globalThis.navigator): boolean {
  if (!nav || validLanguageTag(nav.language)) return false;
  try {
    Object.defineProperty(nav, "language", { configurable: true, get: () => "en-US" });
    const langs = (nav.languages ?? []).filter(validLanguageTag);
    Object.defineProperty(nav, "languages", {
      configurable: true,
      get: () => (langs.length > 0 ? langs : ["en-US"]),
    });
    return true;
  } catch {
    return false;
  }
}

/**
 * True when the system named no usable locale (LANG=C): the UI then keeps
 * its own neutral number style instead of pretending to be en-US.
 */
export const LOCALE_GUARDED = installIntlGuard();
