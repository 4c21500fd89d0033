// The person's own settings as the Settings dialog edits them: the display
// name audit records carry beside the OS login, and the theme. Checked here
// so the dialog says what is wrong while the person types.

import type { Settings, SettingsPatch, Theme } from "./types";

/** Longer names are cut in lists; 80 characters hold any real name. */
export const MAX_DISPLAY_NAME = 80;

export interface SettingsForm {
  displayName: string;
  theme: Theme;
}

export function settingsForm(s: Settings | null): SettingsForm {
  return { displayName: s?.display_name ?? "", theme: s?.theme ?? "system" };
}

/** What is wrong with the display name, or null (blank is fine: no name). */
export function displayNameProblem(name: string): string | null {
  const t = name.trim();
  if (t.length > MAX_DISPLAY_NAME) return `Use at most ${MAX_DISPLAY_NAME} characters (now ${t.length}).`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/.test(t))
    return "Write the name on one line, without tabs or control characters.";
  return null;
}

/** Only what changed, so another window's changes to other settings stay. */
export function settingsPatch(before: SettingsForm, after: SettingsForm): SettingsPatch {
  const patch: SettingsPatch = {};
  if (after.displayName.trim() !== before.displayName.trim()) patch.display_name = after.displayName.trim();
  if (after.theme !== before.theme) patch.theme = after.theme;
  return patch;
}

/** The sentence under the name field: what records will carry. */
export function displayNameHint(name: string, login: string | null): string {
  const t = name.trim();
  const who = login ? `your computer login (${login})` : "your computer login";
  if (!t) return `Changes you make are recorded with ${who} only.`;
  return `Changes you make from now on are recorded as “${t}”, with ${who} beside it. Earlier records keep the name they were made with.`;
}
