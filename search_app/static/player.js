// Keeps the player, the chapters and the transcript in step: ?t= opens the recording at a
// moment, clicking a line or a chapter seeks there, and the chapter and line being spoken are
// highlighted (the playhead moved on the chapter bar) as the recording plays.
(function () {
  "use strict";
  const player = document.getElementById("player");
  const list = document.getElementById("transcript");
  if (!player || !list) return;
  const lines = Array.from(list.querySelectorAll("li[data-start]"));
  const starts = lines.map((li) => parseFloat(li.dataset.start));
  const ends = lines.map((li) => parseFloat(li.dataset.end));
  const start = parseFloat(player.dataset.start || "0");
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

  // The chapter being played: marked in the chapter list, and the playhead moved on the bar.
  const bar = document.querySelector(".chapter-bar");
  const playhead = bar && bar.querySelector(".playhead");
  const chapters = Array.from(document.querySelectorAll("#chapters li[data-start]"));
  function showChapter() {
    const t = player.currentTime;
    chapters.forEach((li) => {
      const inside = t + 0.1 >= parseFloat(li.dataset.start) && t <= parseFloat(li.dataset.end);
      li.classList.toggle("current", inside);
      if (inside) li.setAttribute("aria-current", "true"); else li.removeAttribute("aria-current");
    });
    if (playhead && player.duration) {
      playhead.style.left = Math.min(100, (100 * t) / player.duration).toFixed(2) + "%";
    }
  }

  // Everything that follows the playing moment: the chapter, the playhead, the current line.
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

  // Chapter links (the list and the timeline bar) seek and play like transcript lines do.
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-seek]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    const t = parseFloat(link.dataset.seek);
    player.currentTime = t;
    history.replaceState(null, "", "?t=" + (Math.floor(t * 10) / 10).toFixed(1));
    player.play().catch(() => {});
  });

  list.addEventListener("click", (event) => {
    const li = event.target.closest("li[data-start]");
    // Leave new-tab clicks and text selection (people copy quotes) to the browser, and typing
    // to the staff page's correction forms.
    if (!li || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (event.target.closest("form")) return;
    if (String(window.getSelection()).length > 0) return;
    event.preventDefault();
    const t = parseFloat(li.dataset.start);
    player.currentTime = t;
    // Rounded down like every link to a moment, so reloading never starts after the line.
    history.replaceState(null, "", "?t=" + (Math.floor(t * 10) / 10).toFixed(1));
    player.play().catch(() => {});
  });
})();
