// Light or dark: the user's choice in Settings (System, Light, Dark), where
// "System" follows the operating system (prefers-color-scheme) and changes
// with it while the app runs. The effective scheme is set on <html> as
// data-scheme; app.css holds both palettes.

import type { Theme } from "./types";

export type Scheme = "light" | "dark";

export const THEMES: { id: Theme; label: string }[] = [
  { id: "system", label: "Same as the system" },
  { id: "light", label: "Light" },
  { id: "dark", label: "Dark" },
];

/** The scheme shown for a theme, given whether the OS prefers dark. */
export function effectiveScheme(theme: Theme, systemPrefersDark: boolean): Scheme {
  if (theme === "light" || theme === "dark") return theme;
  return systemPrefersDark ? "dark" : "light";
}

const DARK_QUERY = "(prefers-color-scheme: dark)";

interface SchemeTarget {
  dataset: DOMStringMap;
}

/**
 * Applies `theme` to `root` now and, for "system", whenever the OS switches.
 * Returns a function that stops following the OS.
 */
export function applyTheme(
  theme: Theme,
  root: SchemeTarget = document.documentElement,
  media: Pick<MediaQueryList, "matches" | "addEventListener" | "removeEventListener"> | null = typeof matchMedia ===
  "function"
    ? matchMedia(DARK_QUERY)
    : null,
): () => void {
  const set = () => {
    const scheme = effectiveScheme(theme, media?.matches ?? false);
    root.dataset.scheme = scheme;
    root.dataset.theme = theme;
  };
  set();
  if (theme !== "system" || !media) return () => {};
  media.addEventListener("change", set);
  return () => media.removeEventListener("change", set);
}
