// Cite a passage: select words in the transcript (with the mouse, or from the keyboard with
// Shift+↓/↑ on a line's time selects whole lines, the way a mouse would: the first press the
// line itself, each next one a line more (or less) from there.
let keyed = null; // {anchor, focus}: the lines of the selection made from the keyboard
function selectLines(event) {
  const link = event.target.closest("a.ts");
  if (!link || !event.shiftKey || (event.key !== "ArrowDown" && event.key !== "ArrowUp")) return;
  event.preventDefault();
  const lines = Array.from(list.querySelectorAll("li[data-start]"));
  const here = lines.indexOf(link.closest("li"));
  const extending = keyed && keyed.focus === here && !window.getSelection().isCollapsed;
  const step = event.key === "ArrowDown" ? 1 : -1;
  const to = extending ? Math.max(0, Math.min(lines.length - 1, here + step)) : here;
  keyed = { anchor: extending ? keyed.anchor : here, focus: to };
  lines[to].querySelector("a.ts").focus();
  const first = lines[Math.min(keyed.anchor, to)].querySelector(".text");
  const last = lines[Math.max(keyed.anchor, to)].querySelector(".text");
  const range = document.createRange();
  range.setStart(first, 0);
  range.setEnd(last, last.childNodes.length);
  window.getSelection().removeAllRanges();
  window.getSelection().addRange(range);
}

if (list && dialog) {
  document.addEventListener("selectionchange", follow);
  // Pressing the button must not take the selection away before it is read.
  button.addEventListener("mousedown", (event) => event.preventDefault());
  button.addEventListener("click", open);
  list.addEventListener("keydown", selectLines);
  dialog.addEventListener("click", (event) => {
    const copier = event.target.closest("button[data-copy]");
    if (copier) copy(copier.dataset.copy);
  });
  // Closed (Escape or Close), the dialog gives the focus back to the button that opened it.
  dialog.addEventListener("close", () => { if (button.isConnected) button.focus(); });
}
