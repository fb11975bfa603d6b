// Sends the upload form with a progress bar: a recording can be gigabytes, and a plain form
// post shows nothing until it is all sent. Then opens the job's page, as the plain post would.
(function () {
  "use strict";
  const form = document.getElementById("upload");
  if (!form || !window.XMLHttpRequest) return;
  const bar = document.getElementById("upload-progress");
  const status = document.getElementById("upload-status");
  form.addEventListener("submit", (event) => {
    const file = form.querySelector("input[type=file]");
    if (!file.files.length) return; // a web address: the plain post is quick
    event.preventDefault();
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.addEventListener("progress", (e) => {
      if (!e.lengthComputable) return;
      bar.hidden = false;
      bar.value = Math.round((100 * e.loaded) / e.total);
      status.textContent = "Uploading… " + bar.value + "%";
    });
    xhr.addEventListener("load", () => {
      if (xhr.status < 400 && xhr.responseURL) {
        location.assign(xhr.responseURL);
      } else {
        // The server's error page says what was wrong; show its message here, as text.
        const page = new DOMParser().parseFromString(xhr.responseText, "text/html");
        const error = page.querySelector(".error");
        status.textContent = error ? error.textContent : "The upload failed (" + xhr.status + ").";
        status.classList.add("error");
        form.querySelector("button[type=submit]").disabled = false;
      }
    });
    xhr.addEventListener("error", () => { status.textContent = "The upload failed: check the connection and try again."; });
    form.querySelector("button[type=submit]").disabled = true;
    xhr.send(new FormData(form));
  });
})();
