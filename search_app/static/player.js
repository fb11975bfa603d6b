// Keeps the player, the chapters and the transcript in step: ?t= opens the recording at a
// moment, clicking a line or a chapter seeks there, and the chapter and line being spoken are
// highlighted as the recording plays; a quoted passage (?t=…&end=…) plays to its end and
// stops there. Exports seek() and the clock for timeline.js and
// within.js, which import this module (it runs once however many import it).

export const player = document.getElementById("player");
const list = document.getElementById("transcript");

/** Seconds as people read a timestamp: H:MM:SS, or M:SS under an hour (as the server writes). */
export function clockText(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), rest = s % 60;
  const pad = (n) => String(n).padStart(2, "0");
  return h ? `${h}:${pad(m)}:${pad(rest)}` : `${m}:${pad(rest)}`;
}

/** The query string of a link to moment t, keeping the search within the session (?q=). */
export function momentQuery(t) {
  // Rounded down like every link to a moment, so reloading never starts after it.
  const params = new URLSearchParams({ t: (Math.floor(t * 10) / 10).toFixed(1) });
  const q = new URLSearchParams(location.search).get("q");
  if (q) params.set("q", q);
  return "?" + params;
}

/** Move the player to t (and play, if asked), and put the moment in the address. */
export function seek(t, play) {
  player.currentTime = t;
  history.replaceState(null, "", momentQuery(t));
  if (play) player.play().catch(() => {});
}

/** Whether a click is one the browser should keep: a new tab or window, or a selection. */
export function leaveToBrowser(event) {
  return event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0;
}

// Follow the player in the transcript and the chapter list, and seek from their links.
function keepInStep() {
  const lines = Array.from(list.querySelectorAll("li[data-start]"));
  const starts = lines.map((li) => parseFloat(li.dataset.start));
  const ends = lines.map((li) => parseFloat(li.dataset.end));
  const start = parseFloat(player.dataset.start || "0");
  const chapters = Array.from(document.querySelectorAll("#chapters li[data-start]"));
  let current = -1;

  // The last line that has started by time t, if t is still inside it. A link's ?t= is its
  // moment rounded down to 0.1 s, so a line that starts less than 0.1 s after t counts.
  function lineAt(t) {
    let lo = 0, hi = starts.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid] <= t + 0.1) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found >= 0 && t <= ends[found] + 0.5 ? found : -1;
  }

  // The chapter being played, marked in the chapter list.
  function showChapter() {
    const t = player.currentTime;
    chapters.forEach((li) => {
      const inside = t + 0.1 >= parseFloat(li.dataset.start) && t <= parseFloat(li.dataset.end);
      li.classList.toggle("current", inside);
      if (inside) li.setAttribute("aria-current", "true"); else li.removeAttribute("aria-current");
    });
  }

  // Everything that follows the playing moment: the chapter and the current line.
  function highlight(scrollBlock) {
    showChapter();
    const i = lineAt(player.currentTime);
    if (i === current) return;
    if (current >= 0) {
      lines[current].classList.remove("current");
      lines[current].removeAttribute("aria-current");
    }
    current = i;
    if (i >= 0) {
      lines[i].classList.add("current");
      lines[i].setAttribute("aria-current", "true");
      lines[i].scrollIntoView({ block: scrollBlock || "nearest" });
    }
  }

  // The #t= media fragment usually opens at the moment already; this covers players that ignore it.
  function openAtStart() {
    if (start > 0 && Math.abs(player.currentTime - start) > 0.25) player.currentTime = start;
    highlight("center");
  }
  if (player.readyState >= 1) openAtStart();
  else player.addEventListener("loadedmetadata", openAtStart, { once: true });

  player.addEventListener("timeupdate", () => highlight());
  player.addEventListener("seeked", () => highlight());

  // Links to a moment (chapters, the timeline's text, the staff page's times) seek and play
  // like transcript lines do.
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-seek]");
    if (!link || leaveToBrowser(event)) return;
    event.preventDefault();
    seek(parseFloat(link.dataset.seek), true);
  });

  list.addEventListener("click", (event) => {
    const li = event.target.closest("li[data-start]");
    // Leave new-tab clicks and text selection (people copy quotes) to the browser, and typing
    // to the staff page's correction forms and buttons (Cite).
    if (!li || leaveToBrowser(event)) return;
    if (event.target.closest("form, button")) return;
    if (String(window.getSelection()).length > 0) return;
    event.preventDefault();
    seek(parseFloat(li.dataset.start), true);
  });
}

// A quoted passage's recording pauses when it plays through the passage's end, the first
// time only: a seek past the end (or playing on afterwards) is the listener's choice.
function stopAtEnd(end) {
  let before = null; // where the player was a moment ago while playing through
  let done = false;
  function check() {
    const now = player.currentTime;
    if (!done && before !== null && before < end && now >= end) {
      done = true;
      player.pause();
    }
    before = now;
    // timeupdate comes four times a second; frames stop the player nearer the end.
    if (!done && !player.paused) requestAnimationFrame(check);
  }
  player.addEventListener("seeking", () => { before = null; });
  player.addEventListener("playing", () => { before = player.currentTime; requestAnimationFrame(check); });
  player.addEventListener("timeupdate", check);
}

if (player && list) keepInStep();
if (player && player.dataset.end) stopAtEnd(parseFloat(player.dataset.end));
