// Cite a passage: select words in the transcript (with the mouse, or from the keyboard with
// Shift+Down/Up on a line's time), press "Cite", and the dialog shows the exact quote, who said
// it, the session, the time range and a permalink, with buttons to copy it as plain text,
// Markdown or HTML. The selection's characters become times through each line's data-w (when
// each word begins, in hundredths of a second from the line's start); the server finds the
// words said between those times (/api/sessions/<id>/cite), so the quote is exactly theirs.

import { player } from "./player.js";

const list = document.getElementById("transcript");
const dialog = document.getElementById("cite-dialog");
const duration = player ? parseFloat(player.dataset.duration) : Infinity;
const button = document.createElement("button");
button.type = "button";
button.className = "cite-button";
button.textContent = "Cite";
let passage = null; // {start, end} of the words selected
let citation = null; // the server's answer for the passage cited last

/** A line's words: where each lies in its text, and when it begins and ends. */
function wordsOf(li) {
  const text = li.querySelector(".text").textContent;
  const words = Array.from(text.matchAll(/\S+/g), (m) => ({ from: m.index, to: m.index + m[0].length }));
  const starts = (li.dataset.w || "").split(" ").filter(Boolean).map(Number);
  const lineStart = parseFloat(li.dataset.start), lineEnd = parseFloat(li.dataset.end);
  // Without a time for every word, a word stands for its whole line.
  const timed = starts.length === words.length;
  words.forEach((w, i) => {
    w.start = timed ? lineStart + starts[i] / 100 : lineStart;
    w.end = timed && i + 1 < words.length ? lineStart + starts[i + 1] / 100 : lineEnd;
  });
  return words;
}

/** How many characters of a line's text come before a point; `outside` if it is not in it. */
function charsBefore(li, node, offset, outside) {
  const text = li.querySelector(".text");
  const range = document.createRange();
  range.selectNodeContents(text);
  if (range.comparePoint(node, offset) !== 0) return outside;
  range.setEnd(node, offset);
  return range.toString().length;
}

/** The times of the words the selection covers in part or whole, and the line it ends in. */
function selected() {
  const selection = window.getSelection();
  if (!selection.rangeCount || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  if (!range.intersectsNode(list)) return null;
  const lines = Array.from(list.querySelectorAll("li[data-start]"))
    .filter((li) => range.intersectsNode(li.querySelector(".text")));
  let first = null, last = null, line = null;
  for (const li of lines) {
    const at = charsBefore(li, range.startContainer, range.startOffset, 0);
    if ((first = wordsOf(li).find((w) => w.to > at))) break;
  }
  for (const li of lines.reverse()) {
    const at = charsBefore(li, range.endContainer, range.endOffset, Infinity);
    if ((last = wordsOf(li).filter((w) => w.from < at).pop())) { line = li; break; }
  }
  if (!first || !last || last.end <= first.start) return null;
  return { start: first.start, end: Math.min(last.end, duration), line };
}

// The Cite button follows the selection: put at the end of the line the selection ends in,
// it comes next in the tab order after that line's time.
function follow() {
  const found = selected();
  if (found) {
    passage = found;
    if (button.parentElement !== found.line) found.line.append(button);
  } else if (document.activeElement !== button && !dialog.open) {
    passage = null;
    button.remove();
  }
}

/** Fill the dialog with a citation, its words set as text (never as HTML). */
function show(c) {
  document.getElementById("cite-quote").replaceChildren(...c.parts.map((part) => {
    const figure = document.createElement("figure");
    const who = document.createElement("figcaption");
    const name = document.createElement("strong");
    name.textContent = part.speaker;
    who.append(name);
    if (part.about) who.append(` (${part.about})`);
    const said = document.createElement("blockquote");
    said.textContent = part.text;
    figure.append(who, said);
    return figure;
  }));
  document.getElementById("cite-source").textContent = `${c.title} · ${c.unit} · ${c.date} · ${c.times}`;
  document.getElementById("cite-link").value = c.permalink;
  // A passage longer than the longest clip has no clip links: say so instead.
  document.getElementById("cite-clips").hidden = !c.clips.m4a;
  document.getElementById("cite-no-clip").hidden = Boolean(c.clips.m4a);
  if (c.clips.m4a) document.getElementById("cite-clip-m4a").href = c.clips.m4a;
  document.getElementById("cite-clip-video").hidden = !c.clips.mp4;
  if (c.clips.mp4) document.getElementById("cite-clip-mp4").href = c.clips.mp4;
}

/** Ask the server for the passage's citation and open the dialog with it. */
async function open() {
  if (!passage) return;
  const error = document.getElementById("cite-error");
  const body = document.getElementById("cite-body");
  document.getElementById("cite-copied").textContent = "";
  document.getElementById("cite-copy-text").hidden = true;
  const params = new URLSearchParams({ t: passage.start.toFixed(2), end: passage.end.toFixed(2) });
  try {
    const response = await fetch(`${dialog.dataset.api}?${params}`);
    const data = await response.json();
    if (!response.ok) throw new Error(data.error || `the server answered ${response.status}`);
    citation = data;
    show(data);
    error.hidden = true;
    body.hidden = false;
  } catch (e) {
    error.textContent = `This passage cannot be cited: ${e.message}`;
    error.hidden = false;
    body.hidden = true;
  }
  dialog.showModal();
}

/** Copy one form of the citation: to the clipboard, else selected in a box to copy by hand. */
async function copy(kind) {
  const text = citation[kind];
  const box = document.getElementById("cite-copy-text");
  const status = document.getElementById("cite-copied");
  box.value = text;
  box.hidden = false;
  try {
    await navigator.clipboard.writeText(text);
    status.textContent = "Copied";
  } catch {
    box.focus();
    box.select();
    // The old way, for pages the clipboard API is not given to (plain HTTP, say).
    status.textContent = document.execCommand("copy") ? "Copied" : "Selected: press Ctrl+C to copy";
  }
}

// Shift+Down/Up on a line's time selects whole lines, the way a mouse would: the first press
// the line itself, each next one a line more (or less) from there.
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
  follow(); // now, not at selectionchange: a Tab pressed at once must find the button
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
