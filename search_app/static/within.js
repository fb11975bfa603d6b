// Search within the session without leaving the page: the form asks the API
// (/api/sessions/<id>/search) instead of reloading, marks the matched words in the transcript
// and the matches on the timeline, and steps through them (buttons, Enter and Shift+Enter),
// each step scrolling to the line and seeking the player to the words.

import { clockText, leaveToBrowser, momentQuery, player, seek } from "./player.js";
import { showMatchMarks } from "./timeline.js";

const form = document.getElementById("within");
const NEAR = 1;  // seconds: a player this close to a match is still at it

/** A snippet's text and <mark>s as nodes; anything else in it is kept as text only. */
function snippetNodes(html) {
  // The server escaped the transcript's text; rebuilding from text nodes keeps it that way.
  const parsed = new DOMParser().parseFromString(html, "text/html").body;
  return Array.from(parsed.childNodes, (node) => {
    if (node.nodeName !== "MARK") return document.createTextNode(node.textContent);
    const mark = document.createElement("mark");
    mark.textContent = node.textContent;
    return mark;
  });
}

// Run the form through the API, and step through what it finds.
function setUp() {
  const input = form.elements.q;
  const status = document.getElementById("within-status");
  const error = document.getElementById("within-error");
  const listBox = document.getElementById("match-list");
  const steps = Array.from(form.querySelectorAll("button.step"));
  let matches = [], marks = [], current = -1, total = 0, searched = "", asked = 0;

  const lineOf = (m) => document.getElementById("seg-" + m.segment);
  const hrefOf = (m) => momentQuery(m.start) + "#seg-" + m.segment;

  // The status line: "2 of 12 matches", or that there is none.
  function say() {
    if (!searched) status.textContent = "";
    else if (!matches.length) status.textContent = `No match for “${searched}”`;
    else {
      const shown = total > matches.length ? ` (${total} in all)` : "";
      const at = current >= 0 ? `${current + 1} of ` : "";
      status.textContent = `${at}${matches.length} ${matches.length === 1 ? "match" : "matches"}${shown}`;
    }
  }

  // Unmark every line (the server's marks too) and forget the matches.
  function clear() {
    document.querySelectorAll("#transcript li.match").forEach((li) => {
      const text = li.querySelector(".text");
      text.textContent = text.textContent;
      li.classList.remove("match", "current-match");
    });
    matches = []; current = -1; total = 0;
    marks = showMatchMarks([]);
    listBox.querySelector("ol").replaceChildren();
    listBox.hidden = true;
    error.hidden = true;
    steps.forEach((b) => { b.hidden = true; });
  }

  // Mark a match's line, and its matched words with the snippet's <mark>s.
  function markLine(m) {
    const li = lineOf(m);
    if (!li) return;
    li.classList.add("match");
    const text = li.querySelector(".text");
    const nodes = snippetNodes(m.snippet);
    // Only if the snippet is this line's text (it is, unless the page is older than the index).
    if (nodes.map((n) => n.textContent).join("") === text.textContent.trim()) {
      text.replaceChildren(...nodes);
    }
  }

  // A match's entry in the list: its time and snippet, a link to its moment.
  function listItem(m, i) {
    const a = document.createElement("a");
    a.href = hrefOf(m);
    a.dataset.match = String(i);
    const ts = document.createElement("span"), snippet = document.createElement("span");
    ts.className = "ts"; ts.textContent = clockText(m.start);
    snippet.className = "snippet"; snippet.replaceChildren(...snippetNodes(m.snippet));
    a.append(ts, " ", snippet);
    const li = document.createElement("li");
    li.append(a);
    return li;
  }

  // Show the API's matches: on their lines, on the timeline, in the list; the buttons too.
  function show(found) {
    matches = found.matches; total = found.total;
    matches.forEach(markLine);
    marks = showMatchMarks(matches);
    listBox.querySelector("ol").replaceChildren(...matches.map(listItem));
    listBox.hidden = matches.length === 0;
    steps.forEach((b) => { b.hidden = matches.length === 0; });
  }

  // Make match i the current one: marked, scrolled to, and (if asked) the player moved there.
  function goTo(i, move) {
    if (current >= 0) {
      lineOf(matches[current])?.classList.remove("current-match");
      marks[current]?.classList.remove("current");
    }
    current = i;
    const m = matches[i], li = lineOf(m);
    li?.classList.add("current-match");
    marks[i]?.classList.add("current");
    li?.scrollIntoView({ block: "center" });
    if (move) seek(m.start, false);
    say();
  }

  /** The match to step to from moment t: the next (1) or previous (-1), wrapping around. */
  function stepFrom(t, direction) {
    const n = matches.length;
    if (current >= 0 && Math.abs(matches[current].start - t) <= NEAR) {
      return (current + direction + n) % n;  // still at the current one: its neighbour
    }
    if (direction > 0) {
      const next = matches.findIndex((m) => m.start > t);
      return next >= 0 ? next : 0;
    }
    const before = matches.filter((m) => m.start < t).length;
    return before > 0 ? before - 1 : n - 1;
  }

  // Go to the next (1) or previous (-1) match from where the player is.
  function step(direction) {
    if (matches.length) goTo(stepFrom(player.currentTime, direction), true);
  }

  // Keep ?q= in the address, so a reload or a copied link shows the same matches.
  function remember(query) {
    const params = new URLSearchParams(location.search);
    if (query) params.set("q", query); else params.delete("q");
    const rest = params.toString();
    history.replaceState(null, "", rest ? "?" + rest : location.pathname);
  }

  // Say what went wrong, with nothing marked.
  function fail(message) {
    searched = "";
    error.textContent = message;
    error.hidden = false;
    say();
  }

  // The API's answer: the matches, or {error} (the API answers errors in JSON too).
  async function fetchMatches(query) {
    try {
      const response = await fetch(form.dataset.api + "?" + new URLSearchParams({ q: query }));
      const body = await response.json();
      return response.ok ? body : { error: `Could not read that query: ${body.error}` };
    } catch {
      return { error: "The search could not be reached: press Find to try again." };
    }
  }

  // Ask for a query's matches and show them; the first at or after `from` becomes current.
  async function run(query, from, move) {
    const ask = ++asked;
    clear();
    searched = query;
    remember(query);
    if (!query) { say(); return; }
    const found = await fetchMatches(query);
    if (ask !== asked) return;  // a later search was asked for meanwhile
    if (found.error) { fail(found.error); return; }
    show(found);
    if (!matches.length) { say(); return; }
    const next = matches.findIndex((m) => m.start >= from - 0.1);
    goTo(next >= 0 ? next : 0, move);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const query = input.value.trim();
    // Enter again on the same words goes on to the next match, as a browser's find does.
    if (query && query === searched && matches.length) step(1);
    else run(query, player.currentTime, true);
  });

  input.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || !event.shiftKey) return;
    event.preventDefault();
    if (input.value.trim() === searched) step(-1);
  });

  // Emptying the box (its × or Escape) ends the search.
  input.addEventListener("input", () => { if (!input.value.trim() && searched) run("", 0); });

  steps.forEach((b) => b.addEventListener("click", () => step(parseInt(b.dataset.step, 10))));

  // A match's mark on the timeline or its entry in the list makes it current.
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-match]");
    if (!link || leaveToBrowser(event)) return;
    event.preventDefault();
    goTo(parseInt(link.dataset.match, 10), true);
  });

  // Opened with ?q= (from a link or the form without JavaScript): the same search, current
  // at the moment the page opened at, without moving the player from there.
  if (input.value.trim()) run(input.value.trim(), parseFloat(player.dataset.start || "0"), false);
}

if (form && player) setUp();
