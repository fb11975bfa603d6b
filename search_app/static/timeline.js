// The session timeline (drawn by the server, see search_app/timeline.py): clicking a lane
// seeks to the moment under the pointer, the keys of a slider move through the recording
// (and by speaker turn and chapter), and the playhead follows the player. Exports
// showMatchMarks() for within.js to put the current search's matches on it.

import { clockText, leaveToBrowser, player, seek } from "./player.js";

const timeline = document.getElementById("timeline");
const STEP = 10;        // seconds per arrow key
const BIG_STEP = 60;    // ... with Shift
const NEAR = 0.5;       // a turn or chapter starting this close to now is the one we are in

/** The recording's length as the server placed every box by (the player's may differ a hair). */
function duration() {
  return parseFloat(timeline.dataset.duration) || player.duration || 0;
}

/** Where moment t sits, in percent of the timeline's width. */
export function percentAt(t) {
  return Math.min(100, Math.max(0, (100 * t) / (duration() || 1)));
}

/** Put one mark per match on the matches row (none hides it); returns the marks in order. */
export function showMatchMarks(matches) {
  const track = document.getElementById("match-marks");
  if (!track) return [];
  // Anchors without href: nothing inside the slider may take focus (see _timeline.html).
  const marks = matches.map((m, i) => {
    const a = document.createElement("a");
    a.className = "match-mark";
    a.dataset.match = String(i);
    a.title = clockText(m.start);
    a.style.left = percentAt(m.start).toFixed(2) + "%";
    return a;
  });
  track.replaceChildren(...marks);
  track.closest(".row").hidden = marks.length === 0;
  return marks;
}

/** The stretches of the timeline as {start, end, name}, from the boxes the server drew. */
function stretches(selector, nameOf) {
  return Array.from(timeline.querySelectorAll(selector), (el) => ({
    start: parseFloat(el.dataset.start ?? el.dataset.seek),
    end: parseFloat(el.dataset.end),
    name: nameOf(el),
  })).sort((a, b) => a.start - b.start);
}

/** The stretch playing at t, if any. */
function at(list, t) {
  return list.find((s) => s.start <= t + 0.1 && t <= s.end);
}

/** The next (direction 1) or previous (-1) start after or before t, else t. */
function neighbour(list, t, direction) {
  if (direction > 0) return (list.find((s) => s.start > t + NEAR) || { start: t }).start;
  const before = list.filter((s) => s.start < t - NEAR);
  return before.length ? before[before.length - 1].start : t;
}

// Seek by click and keyboard, and keep the playhead and what the slider says up to date.
function setUp() {
  const playhead = timeline.querySelector(".playhead");
  const turns = stretches(".talk", (el) => el.closest(".lane").querySelector(".label").textContent);
  const chapters = stretches(".chapter-mark", (el) => el.title);

  // What the slider says to a screen reader: the time, who is speaking, the chapter.
  function describe(t) {
    const who = at(turns, t), chapter = at(chapters, t);
    return [`${clockText(t)} of ${clockText(duration())}`, who && `${who.name} speaking`,
            chapter && `chapter: ${chapter.name}`].filter(Boolean).join(", ");
  }

  // Move the playhead (and the slider's value) to where the player is.
  function follow() {
    const t = player.currentTime;
    playhead.style.left = percentAt(t).toFixed(2) + "%";
    timeline.setAttribute("aria-valuenow", String(Math.round(t)));
    timeline.setAttribute("aria-valuetext", describe(t));
  }

  // Where each key takes the player from t, or undefined for a key the timeline leaves alone.
  // Up and Page Up go later, as a slider's keys do.
  function target(event, t) {
    const step = event.shiftKey ? BIG_STEP : STEP;
    switch (event.key) {
      case "ArrowRight": return t + step;
      case "ArrowLeft": return t - step;
      case "ArrowUp": return neighbour(turns, t, 1);
      case "ArrowDown": return neighbour(turns, t, -1);
      case "PageUp": return neighbour(chapters, t, 1);
      case "PageDown": return neighbour(chapters, t, -1);
      case "Home": return 0;
      case "End": return duration();
      default: return undefined;
    }
  }

  timeline.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();  // a space would scroll the page
      if (player.paused) player.play().catch(() => {}); else player.pause();
      return;
    }
    const t = target(event, player.currentTime);
    if (t === undefined) return;
    event.preventDefault();
    seek(Math.min(Math.max(t, 0), duration()), false);
    follow();  // at once: the player reports the new time only when the seek is done
  });

  // A click on a lane (or the matches row, between marks) plays from the moment under it;
  // links on the timeline (chapters, matches) seek to their own moment.
  timeline.addEventListener("click", (event) => {
    const track = event.target.closest(".track");
    if (!track || event.target.closest("a") || leaveToBrowser(event)) return;
    const box = track.getBoundingClientRect();
    seek(duration() * Math.min(Math.max((event.clientX - box.left) / box.width, 0), 1), true);
  });

  player.addEventListener("timeupdate", follow);
  player.addEventListener("seeked", follow);
  if (player.readyState >= 1) follow();
  else player.addEventListener("loadedmetadata", follow, { once: true });
}

if (timeline && player) setUp();
