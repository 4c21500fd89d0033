// must stay the first import: fixes navigator.language before any library reads it
import "./lib/intlGuard";
import { mount } from "svelte";
import "uplot/dist/uPlot.min.css";
import "./app.css";
import App from "./App.svelte";
import { limitContextMenu } from "./lib/contextMenu";

// no Reload/Back (or Inspect Element) on the page; text fields keep theirs
limitContextMenu(document);

const app = mount(App, {
  target: document.getElementById("app")!,
});

export default app;
