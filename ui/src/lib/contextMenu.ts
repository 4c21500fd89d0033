// The web view's own right-click menu (issue 14). WebKit offers Back,
// Forward and Reload on the page, which in a desktop app only lose the
// person's work (and, in a debug build, Inspect Element). It stays where it
// helps: in text fields (cut, copy, paste) and on selected text (copy).

/** Whether the web view's menu should open for a right-click on `target`. */
export function keepNativeMenu(target: EventTarget | null, selectedText: string): boolean {
  if (selectedText.trim() !== "") return true;
  if (!(target instanceof Element)) return false;
  const field = target.closest("input, textarea, [contenteditable]");
  if (field === null) return false;
  if (field instanceof HTMLInputElement) {
    return !["button", "checkbox", "radio", "submit", "reset", "file", "range", "color"].includes(field.type);
  }
  return !(field instanceof HTMLElement) || field.isContentEditable || field instanceof HTMLTextAreaElement;
}

/** Installs the rule on `doc` (the app does this once at start). */
export function limitContextMenu(doc: Document): void {
  doc.addEventListener("contextmenu", (e) => {
    if (!keepNativeMenu(e.target, doc.getSelection()?.toString() ?? "")) e.preventDefault();
  });
}
