// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import { keepNativeMenu, limitContextMenu } from "./contextMenu";

function el(html: string): Element {
  const host = document.createElement("div");
  host.innerHTML = html;
  document.body.append(host);
  return host.querySelector("[data-t]")!;
}

describe("right-click menu", () => {
  it("is kept in text fields and on selected text", () => {
    expect(keepNativeMenu(el('<input data-t type="text">'), "")).toBe(true);
    expect(keepNativeMenu(el("<textarea data-t></textarea>"), "")).toBe(true);
    expect(keepNativeMenu(el('<div contenteditable="true"><span data-t>x</span></div>'), "")).toBe(true);
    expect(keepNativeMenu(el("<p data-t>EAC-1</p>"), "EAC-1")).toBe(true);
  });

  it("is not opened on the page, buttons or tick boxes (no Reload, no Inspect)", () => {
    expect(keepNativeMenu(el("<p data-t>text</p>"), "")).toBe(false);
    expect(keepNativeMenu(el("<button data-t>Import…</button>"), "")).toBe(false);
    expect(keepNativeMenu(el('<input data-t type="checkbox">'), "")).toBe(false);
    expect(keepNativeMenu(null, "  ")).toBe(false);
  });

  it("is prevented by the installed listener only where it is not kept", () => {
    limitContextMenu(document);
    const page = el("<p data-t>text</p>");
    const field = el('<input data-t type="text">');
    const onPage = new MouseEvent("contextmenu", { bubbles: true, cancelable: true });
    const inField = new MouseEvent("contextmenu", { bubbles: true, cancelable: true });
    page.dispatchEvent(onPage);
    field.dispatchEvent(inField);
    expect(onPage.defaultPrevented).toBe(true);
    expect(inField.defaultPrevented).toBe(false);
  });
});
