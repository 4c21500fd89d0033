// The settings the whole window shares: read through here only (`read`), so
// reads made at the same time (start-up: the theme and the open database's
// remembered state) are one read of the file, and a warning about an
// unreadable file (said once by the shell) is never lost to another reader.
// The theme is applied as soon as they are known at start; the Settings
// dialog writes them; the export dialog offers the last export folder.

import { api } from "./api";
import { applyTheme } from "./theme";
import type { LoadedSettings, Settings, SettingsPatch, Theme } from "./types";

class SettingsStore {
  current = $state<Settings | null>(null);
  /** The settings file could not be read (it was kept aside): said once. */
  warning = $state<string | null>(null);
  path = $state<string | null>(null);
  private stopTheme: () => void = () => {};
  private reading: Promise<LoadedSettings> | null = null;

  theme(theme: Theme) {
    this.stopTheme();
    this.stopTheme = applyTheme(theme);
  }

  /** The settings as in the file now; a read already under way is shared, not repeated. */
  read(): Promise<LoadedSettings> {
    this.reading ??= api
      .settingsGet()
      .then((loaded) => {
        this.current = loaded.settings;
        if (loaded.warning !== null) this.warning = loaded.warning;
        this.path = loaded.path;
        return loaded;
      })
      .finally(() => (this.reading = null));
    return this.reading;
  }

  /** Start-up: read the settings and apply their theme. */
  async load(): Promise<void> {
    try {
      this.theme((await this.read()).settings.theme);
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
