// Follows a running ingest job: polls its status and reloads the page when its state changes
// (so a failure shows its error and a finished job its session), else moves the bar.
(function () {
  "use strict";
  const box = document.querySelector(".job[data-status-url]");
  if (!box || !["queued", "running"].includes(box.dataset.state)) return;
  const bar = box.querySelector("progress");
  const percent = box.querySelector(".percent");
  const stage = box.querySelector(".job-state");
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin" })
      .then((r) => r.json())
      .then((job) => {
        if (job.state !== box.dataset.state && !(box.dataset.state === "queued" && job.state === "running")) {
          location.reload();
          return;
        }
        box.dataset.state = job.state;
        if (job.state === "running") {
          stage.textContent = (job.stage.charAt(0).toUpperCase() + job.stage.slice(1)) + "…";
        }
        const stopForm = box.querySelector(".stop-form");
        if (stopForm) stopForm.hidden = job.stage !== "recording";
        bar.value = job.percent;
        // A live stream has no known length: say how much has been recorded instead.
        percent.textContent = job.total > 0 ? job.percent + "%" : Math.round(job.position) + " so far";
        setTimeout(poll, 1000);
      })
      .catch(() => setTimeout(poll, 3000));
  }
  setTimeout(poll, 1000);
})();
