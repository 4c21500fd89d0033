// The settings the whole window shares (read once at start, written by the
// Settings dialog): the theme is applied as soon as they are known, and the
// last export folder is offered by the export dialog.

import { api } from "./api";
import { applyTheme } from "./theme";
import type { Settings, SettingsPatch, Theme } from "./types";

class SettingsStore {
  current = $state<Settings | null>(null);
  /** The settings file could not be read (it was kept aside): said once. */
  warning = $state<string | null>(null);
  path = $state<string | null>(null);
  private stopTheme: () => void = () => {};

  theme(theme: Theme) {
    this.stopTheme();
    this.stopTheme = applyTheme(theme);
  }

  async load(): Promise<void> {
    try {
      const loaded = await api.settingsGet();
      this.current = loaded.settings;
      this.warning = loaded.warning;
      this.path = loaded.path;
      this.theme(loaded.settings.theme);
    } catch {
      // outside the app, or an unreadable folder: follow the system
      this.theme("system");
    }
  }

  async update(patch: SettingsPatch): Promise<Settings> {
    const saved = await api.settingsUpdate(patch);
    this.current = saved;
    this.theme(saved.theme);
    return saved;
  }
}

export const settingsStore = new SettingsStore();
