/* Autosave for note drafts: progressive enhancement only.
 *
 * The draft form works without this file. With it, the form is posted in the background a few
 * seconds after typing stops, to the same address, with the header X-Alliance-Autosave: 1;
 * the server answers JSON. The hidden version field follows each save, so the optimistic lock
 * (REL-04) holds: if someone else saved meanwhile, autosave stops and asks for a normal save,
 * which shows both texts. Nothing is kept in the browser: drafts live in the database.
 */
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var status = form.querySelector(".autosave-status");
  var version = form.querySelector("input[name=version]");
  var DELAY_MS = 4000;
  var timer = null;
  var saving = false;
  var dirty = false;
  var stopped = false;

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function save() {
    timer = null;
    if (stopped || !dirty) {
      return;
    }
    if (saving) {
      schedule();
      return;
    }
    saving = true;
    dirty = false;
    say("Saving…");
    fetch(form.getAttribute("data-autosave"), {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Alliance-Autosave": "1", Accept: "application/json" },
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) {
          // A sign-in page or a session time-out: the last autosave is kept on the server.
          stopped = true;
          say("Autosave stopped: your session has ended. Your last saved draft is kept; sign in again to continue.");
          return null;
        }
        return response.json().then(function (data) {
          if (response.ok) {
            version.value = data.version;
            say("Draft saved automatically (version " + data.version + ").");
          } else if (data.conflict || data.locked) {
            stopped = true;
            say(data.message);
          } else {
            say("Not saved: " + (data.errors || []).join(" "));
          }
        });
      })
      .catch(function () {
        dirty = true;
        say("Autosave failed (offline?). Your text is still here; press Save draft.");
      })
      .then(function () {
        saving = false;
      });
  }

  function schedule() {
    if (timer) {
      window.clearTimeout(timer);
    }
    timer = window.setTimeout(save, DELAY_MS);
  }

  form.addEventListener("input", function () {
    dirty = true;
    if (!stopped) {
      schedule();
    }
  });
  form.addEventListener("submit", function () {
    stopped = true;
    if (timer) {
      window.clearTimeout(timer);
    }
  });
})();
