/* Autosave: a time-out never destroys typed text (process.md rule 7, decision 0006).
 *
 * Every <form data-autosave> keeps a copy of its fields in localStorage as the user types.
 * When the form also has data-autosave-url, the fields are posted there (debounced, and on
 * leaving the page) and the server keeps them as the user's own draft. If the session has
 * expired the server answers 401/403 or redirects to the sign-in page: the text stays in the
 * page and in localStorage, and the user is told (aria-live) to sign in again in another tab.
 * On opening the form again, a browser copy that differs from the form is offered back.
 *
 * Messages come from the page (data-msg-* on [data-autosave-status]) so they are translated
 * with the rest of the UI. No inline script: the CSP allows only 'self'.
 */
(function () {
  "use strict";

  var DELAY_MS = 1500;
  var PREFIX = "elevstod:autosave:";
  // The form last submitted in this tab: its browser copy goes once the server says it saved.
  var SUBMITTED = "elevstod:autosave:submitted";
  var SKIP = { csrfmiddlewaretoken: true, action: true };

  function storageKey(form) {
    return PREFIX + (form.getAttribute("data-autosave-key") || window.location.pathname);
  }

  function statusOf(form) {
    return form.querySelector("[data-autosave-status]");
  }

  function message(form, name) {
    var status = statusOf(form);
    return (status && status.getAttribute("data-msg-" + name)) || "";
  }

  function say(form, text) {
    var status = statusOf(form);
    if (status) {
      status.textContent = text;
    }
  }

  function fieldsOf(form) {
    var fields = {};
    new FormData(form).forEach(function (value, name) {
      if (SKIP[name] || typeof value !== "string") {
        return;
      }
      if (Object.prototype.hasOwnProperty.call(fields, name)) {
        fields[name] = [].concat(fields[name], value);
      } else {
        fields[name] = value;
      }
    });
    return fields;
  }

  function readLocal(form) {
    try {
      var raw = window.localStorage.getItem(storageKey(form));
      return raw ? JSON.parse(raw) : null;
    } catch (error) {
      return null;
    }
  }

  function writeLocal(form) {
    try {
      window.localStorage.setItem(
        storageKey(form),
        JSON.stringify({ savedAt: new Date().toISOString(), fields: fieldsOf(form) })
      );
      return true;
    } catch (error) {
      return false;
    }
  }

  function dropLocal(form) {
    try {
      window.localStorage.removeItem(storageKey(form));
    } catch (error) {
      /* storage unavailable: nothing to drop */
    }
  }

  function sameFields(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  function clock() {
    var now = new Date();
    return ("0" + now.getHours()).slice(-2) + ":" + ("0" + now.getMinutes()).slice(-2);
  }

  function bodyOf(form) {
    var body = new FormData(form);
    body.delete("action");
    return body;
  }

  function expired(form) {
    form.setAttribute("data-autosave-expired", "true");
    say(form, message(form, "expired"));
  }

  function post(form) {
    var url = form.getAttribute("data-autosave-url");
    if (!url) {
      say(form, message(form, "local"));
      return;
    }
    window
      .fetch(url, {
        method: "POST",
        body: bodyOf(form),
        credentials: "same-origin",
        redirect: "manual",
        headers: { "X-Requested-With": "XMLHttpRequest" },
      })
      .then(function (response) {
        if (response.status === 204 || response.status === 200) {
          form.removeAttribute("data-autosave-expired");
          say(form, message(form, "saved") + " " + clock());
        } else if (
          response.type === "opaqueredirect" ||
          response.status === 401 ||
          response.status === 403 ||
          response.headers.get("HX-Redirect")
        ) {
          expired(form);
        } else {
          say(form, message(form, "failed"));
        }
      })
      .catch(function () {
        say(form, message(form, "failed"));
      });
  }

  function beacon(form) {
    var url = form.getAttribute("data-autosave-url");
    if (url && navigator.sendBeacon) {
      navigator.sendBeacon(url, bodyOf(form));
    }
  }

  function fill(form, fields) {
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || SKIP[element.name] || element.name === "version") {
        return;
      }
      if (!Object.prototype.hasOwnProperty.call(fields, element.name)) {
        if (element.type === "checkbox") {
          element.checked = false;
        }
        return;
      }
      var values = [].concat(fields[element.name]);
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = values.indexOf(element.value) !== -1;
      } else if (element.tagName === "SELECT" && element.multiple) {
        Array.prototype.forEach.call(element.options, function (option) {
          option.selected = values.indexOf(option.value) !== -1;
        });
      } else {
        element.value = values[values.length - 1];
      }
    });
  }

  function offerRestore(form, saved) {
    var status = statusOf(form);
    if (!status) {
      return;
    }
    var box = document.createElement("div");
    box.className = "message";
    box.setAttribute("role", "status");
    var text = document.createElement("p");
    var when = saved.savedAt ? saved.savedAt.slice(0, 16).replace("T", " ") : "";
    text.textContent = message(form, "restore") + " " + when + ".";
    var restore = document.createElement("button");
    restore.type = "button";
    restore.textContent = message(form, "restore-button");
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "secondary outline";
    discard.textContent = message(form, "discard-button");
    restore.addEventListener("click", function () {
      fill(form, saved.fields);
      box.remove();
      say(form, message(form, "restored"));
      schedule(form);
    });
    discard.addEventListener("click", function () {
      dropLocal(form);
      box.remove();
    });
    box.appendChild(text);
    box.appendChild(restore);
    box.appendChild(document.createTextNode(" "));
    box.appendChild(discard);
    form.insertBefore(box, form.firstChild);
  }

  var timers = new WeakMap();

  function schedule(form) {
    writeLocal(form);
    window.clearTimeout(timers.get(form));
    timers.set(
      form,
      window.setTimeout(function () {
        // Saved now: leaving the page afterwards has nothing left to send (flush).
        timers.delete(form);
        post(form);
      }, DELAY_MS)
    );
  }

  function flush(form) {
    if (!timers.has(form)) {
      return;
    }
    window.clearTimeout(timers.get(form));
    timers.delete(form);
    writeLocal(form);
    beacon(form);
  }

  function start(form) {
    var saved = readLocal(form);
    if (saved && saved.fields) {
      if (sameFields(saved.fields, fieldsOf(form))) {
        dropLocal(form);
      } else {
        offerRestore(form, saved);
      }
    }
    form.addEventListener("input", function () {
      schedule(form);
    });
    form.addEventListener("change", function () {
      schedule(form);
    });
    form.addEventListener("submit", function () {
      // Keep the browser copy: if the session has expired the post goes to the sign-in page,
      // and the copy is offered back when the form is opened again.
      window.clearTimeout(timers.get(form));
      timers.delete(form);
      writeLocal(form);
      try {
        window.sessionStorage.setItem(SUBMITTED, storageKey(form));
      } catch (error) {
        /* storage unavailable: the copy is offered back, never lost */
      }
    });
  }

  /* The page after a submit: a success message (messages.success, role=status) is the server
   * saying the save went through, so the browser copy of that form is no longer needed and is
   * not offered back when the editor is opened again. After a conflict, a refusal or a signed-out
   * session there is no success message, and the copy stays. */
  function forgetSaved() {
    var key = null;
    try {
      key = window.sessionStorage.getItem(SUBMITTED);
      window.sessionStorage.removeItem(SUBMITTED);
    } catch (error) {
      return;
    }
    if (key && document.querySelector(".message-success")) {
      try {
        window.localStorage.removeItem(key);
      } catch (error) {
        /* storage unavailable: nothing to drop */
      }
    }
  }

  function flushAll() {
    document.querySelectorAll("form[data-autosave]").forEach(flush);
  }

  document.addEventListener("DOMContentLoaded", function () {
    forgetSaved();
    document.querySelectorAll("form[data-autosave]").forEach(start);
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      flushAll();
    }
  });
  window.addEventListener("beforeunload", flushAll);
})();
