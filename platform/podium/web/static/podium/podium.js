// My Submissions: rows still pending or scoring ask the server for their new state every 2 s
// and swap themselves for the answer, until they are scored or failed (no data-poll any more).
(function () {
  "use strict";
  function poll(row) {
    window.setTimeout(function () {
      fetch(row.dataset.poll, { credentials: "same-origin" })
        .then(function (response) {
          if (response.status === 404) return "";  // gone, or signed out: stop asking
          if (!response.ok) throw new Error(String(response.status));
          return response.text();
        })
        .then(function (html) {
          if (!html) return;
          var holder = document.createElement("tbody");
          holder.innerHTML = html.trim();
          var fresh = holder.firstElementChild;
          if (!fresh) return;
          row.replaceWith(fresh);
          if (fresh.dataset.poll) poll(fresh);
        })
        .catch(function () { poll(row); });  // a restart or a hiccup: try again
    }, 2000);
  }
  document.querySelectorAll("tr[data-poll]").forEach(poll);
})();
