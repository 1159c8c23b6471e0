// Podium's few behaviours on top of server-rendered pages (htmx does the live updates: rows of
// My Submissions still pending or scoring poll their status fragment with hx-get every 2 s).
// Everything here is progressive: without JavaScript every page and form still works.
(function () {
  "use strict";

  // -- countdowns: <time data-countdown="ISO 8601">, updated every second ----------------------
  function left(ms) {
    if (ms <= 0) return "now";
    var s = Math.floor(ms / 1000);
    var d = Math.floor(s / 86400); s -= d * 86400;
    var h = Math.floor(s / 3600); s -= h * 3600;
    var m = Math.floor(s / 60); s -= m * 60;
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return (d ? d + "d " : "") + pad(h) + ":" + pad(m) + ":" + pad(s);
  }
  function tick() {
    document.querySelectorAll("[data-countdown]").forEach(function (el) {
      var at = Date.parse(el.dataset.countdown);
      if (!isNaN(at)) el.textContent = left(at - Date.now());
    });
  }
  if (document.querySelector("[data-countdown]")) { tick(); window.setInterval(tick, 1000); }

  // -- the Submit form: drop a file, see the upload's progress ---------------------------------
  function human(bytes) {
    var units = ["bytes", "KB", "MB", "GB"], i = 0;
    while (bytes >= 1024 && i < units.length - 1) { bytes /= 1024; i++; }
    return (i ? bytes.toFixed(1) : bytes) + " " + units[i];
  }
  function setupUpload(form) {
    var zone = form.querySelector(".dropzone");
    var input = form.querySelector("input[type=file]");
    var chosen = form.querySelector(".dropzone-file");
    var bar = form.querySelector("progress");
    var status = form.querySelector(".upload-status");
    var button = form.querySelector("button[type=submit]");
    if (!zone || !input) return;
    function show() {
      var file = input.files && input.files[0];
      chosen.textContent = file ? file.name + " (" + human(file.size) + ")" : "";
      zone.classList.toggle("has-file", !!file);
    }
    input.addEventListener("change", show);
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (e) { e.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "dragend", "drop"].forEach(function (type) {
      zone.addEventListener(type, function () { zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (e) {
      e.preventDefault();
      if (e.dataTransfer && e.dataTransfer.files.length) {
        input.files = e.dataTransfer.files;
        show();
      }
    });
    form.addEventListener("submit", function (e) {
      if (!window.XMLHttpRequest || !window.FormData || !input.files.length) return;
      e.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action || window.location.href);
      xhr.setRequestHeader("X-Podium-Upload", "1");
      xhr.upload.addEventListener("progress", function (p) {
        if (!p.lengthComputable) return;
        bar.max = p.total; bar.value = p.loaded;
        status.textContent = "Uploading… " + Math.round(100 * p.loaded / p.total) + "%";
      });
      xhr.upload.addEventListener("load", function () {
        status.textContent = "Uploaded: checking the file…";
      });
      xhr.addEventListener("load", function () {
        // Received: the server answers with where to go (My Submissions, its message waiting
        // there). Refused: the answer is the Submit page with the service's message: swap it in.
        var type = xhr.getResponseHeader("Content-Type") || "";
        if (type.indexOf("application/json") === 0) {
          window.location.assign(JSON.parse(xhr.responseText).redirect);
          return;
        }
        var page = new DOMParser().parseFromString(xhr.responseText, "text/html");
        var fresh = page.querySelector("main");
        var here = document.querySelector("main");
        if (fresh && here) {
          here.innerHTML = fresh.innerHTML;
          here.querySelectorAll("form.upload").forEach(setupUpload);
        } else {
          status.textContent = "The server answered " + xhr.status + ". Try again.";
          button.disabled = false; bar.hidden = true;
        }
      });
      xhr.addEventListener("error", function () {
        status.textContent = "The upload failed (the connection dropped). Try again.";
        button.disabled = false; bar.hidden = true;
      });
      bar.hidden = false; bar.value = 0; button.disabled = true;
      status.textContent = "Uploading…";
      xhr.send(new FormData(form));
    });
  }
  document.querySelectorAll("form.upload").forEach(setupUpload);

  // -- a new API token: one click selects it for copying -----------------------------------------
  document.querySelectorAll("input.select-on-click").forEach(function (input) {
    input.addEventListener("click", function () { input.select(); });
  });

  // -- My Submissions: the note and the chart follow the rows that htmx updates in place -------
  // The flash note "It is being scored now" and the chart's "shows here once a submission is
  // scored" were true when the page was made; once the polled rows are final they are replaced
  // (the note from the rows' statuses, the chart from a fresh copy of this page), no reload.
  var submissions = document.querySelector("table.submissions");
  if (submissions) {
    var polled = Array.prototype.map.call(
      submissions.querySelectorAll("tr[data-poll]"), function (row) { return row.id; });
    var newest = submissions.querySelector("tbody tr[id^=submission-]");
    if (!polled.length && newest) polled = [newest.id];  // final before the page was made
    var scoredNow = function () { return submissions.querySelectorAll(".badge.status-scored").length; };
    var scored = scoredNow();
    var settleNote = function () {
      var notes = document.querySelectorAll(".message.scoring-note");
      if (!notes.length || submissions.querySelector("tr[data-poll]")) return;
      var failed = polled.filter(function (id) {
        var row = document.getElementById(id);
        return row && row.querySelector(".badge.status-failed");
      }).length;
      var done = polled.length;
      var text = done > 1 ? "Submissions received and done: " + (done - failed) + " scored, " +
          failed + " failed (see their messages below)."
        : failed ? "Submission received, but it could not be scored: its message below says why."
        : "Submission received and scored: its score is below.";
      notes.forEach(function (note) {
        note.textContent = text;
        note.classList.remove("scoring-note");
        note.classList.toggle("success", !failed);
        note.classList.toggle("error", !!failed);
      });
    };
    var refreshChart = function () {
      var panel = document.querySelector("figure.chart-panel");
      if (!panel || !window.fetch) return;
      fetch(window.location.href, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) {
          var fresh = html && new DOMParser().parseFromString(html, "text/html")
            .querySelector("figure.chart-panel");
          var current = document.querySelector("figure.chart-panel");
          if (fresh && current) current.replaceWith(document.importNode(fresh, true));
        });
    };
    settleNote();  // already scored before the page was made: the note is stale now
    document.body.addEventListener("htmx:afterSettle", function () {
      settleNote();
      var now = scoredNow();
      if (now > scored) { scored = now; refreshChart(); }
    });
  }

  // -- My Submissions: the final selection's limit, said before saving -------------------------
  var finalForm = document.getElementById("final-selection");
  if (finalForm && finalForm.dataset.limit) {
    var limit = parseInt(finalForm.dataset.limit, 10);
    var note = finalForm.querySelector(".selection-count");
    var count = function () {
      var ticked = document.querySelectorAll("input[name=submission][form=final-selection]:checked").length;
      if (note) {
        note.textContent = ticked + " of " + limit + " ticked" +
          (ticked > limit ? ": untick " + (ticked - limit) + " to save" : "");
        note.classList.toggle("error-text", ticked > limit);
      }
    };
    document.addEventListener("change", function (e) {
      if (e.target.matches && e.target.matches("input[name=submission]")) count();
    });
  }
})();
