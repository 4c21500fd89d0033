// must stay the first import: fixes navigator.language before any library reads it
import { LOCALE_GUARDED } from "./lib/intlGuard";
import { mount } from "svelte";
import "uplot/dist/uPlot.min.css";
import "./app.css";
import App from "./App.svelte";
import { limitContextMenu } from "./lib/contextMenu";

// no Reload/Back (or Inspect Element) on the page; text fields keep theirs
limitContextMenu(document);
import { settingsStore } from "./lib/settingsStore.svelte";
import { setNumberSigns } from "./lib/decimal";
import { numberSigns, setTimeLocale, uiLocale } from "./lib/locale";

// numbers and times in the OS locale (exports and copies keep plain decimals)
if (!LOCALE_GUARDED) {
  setNumberSigns(numberSigns(uiLocale()));
  setTimeLocale(uiLocale());
}

// follow the system until the settings are read (no light flash in dark mode)
settingsStore.theme("system");

const app = mount(App, {
  target: document.getElementById("app")!,
});

export default app;
