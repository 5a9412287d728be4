/* Interview kit: autosave with an offline ledger, conflict choice, keyboard scoring,
 * submit once, edit after submitting. No framework; loaded with <script defer>.
 *
 * Every input carries data-field (see scorecard/services/scorecards/fields.py for the names).
 * `server` holds what the server is known to have; `pending` holds changes not yet
 * acknowledged, each with the server value it was made against (its base), so a stale save
 * (409) can tell a real conflict (the server changed that field) from a harmless one.
 * Pending changes live in localStorage too, so a reload or a dropped network loses nothing.
 */
(function () {
  "use strict";

  var root = document.getElementById("kit");
  if (!root) return;
  var form = document.getElementById("kit-form");
  var statusEl = document.getElementById("kit-status");
  var M = JSON.parse(document.getElementById("kit-messages").dataset.messages || "{}");
  var cfg = root.dataset;
  var mode = cfg.mode; // draft | submitted | cancelled | editing
  var lock = parseInt(cfg.lock, 10);
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.content : "";
  var STORE = "scorecard-kit:v1:" + cfg.userId + ":" + cfg.cardId;
  var DEBOUNCE_MS = 600;
  var MAX_WAIT_MS = 1800; // every change leaves within 2 s, even while typing on
  var TIMEOUT_MS = 15000;

  var inputs = {};
  form.querySelectorAll("[data-field]").forEach(function (el) {
    (inputs[el.dataset.field] = inputs[el.dataset.field] || []).push(el);
  });
  var fieldNames = Object.keys(inputs);

  var server = {};
  var pending = {};
  var seq = 0;
  var inflight = false;
  var timer = null;
  var firstPendingAt = 0;
  var retryTimer = null;
  var retryDelay = 0;
  var signedOut = false;
  var conflictOpen = false;
  var submissionKey = null;
  var lastContact = Date.now();
  var lastActivity = Date.now();

  // --- reading and writing fields ---------------------------------------------------------

  function read(field) {
    var els = inputs[field];
    if (!els) return undefined;
    var el = els[0];
    if (el.type === "radio") {
      var on = els.filter(function (e) { return e.checked; })[0];
      if (!on) return undefined;
      return on.value === "na" ? null : parseInt(on.value, 10);
    }
    if (el.type === "checkbox") return el.checked;
    return el.value;
  }

  function write(field, value) {
    var els = inputs[field];
    if (!els) return;
    var el = els[0];
    if (el.type === "radio") {
      els.forEach(function (e) {
        e.checked = value === null ? e.value === "na" : value !== undefined && e.value === String(value);
      });
    } else if (el.type === "checkbox") {
      el.checked = !!value;
    } else {
      el.value = value === null || value === undefined ? "" : value;
    }
  }

  function norm(v) {
    return v === undefined ? null : v;
  }

  function same(a, b) {
    return norm(a) === norm(b);
  }

  function shown(field, value) {
    var el = inputs[field][0];
    if (el.type === "radio") {
      if (value === undefined) return M.unrated;
      if (value === null) return M.notAssessed;
      var match = inputs[field].filter(function (e) { return e.value === String(value); })[0];
      var head = match && match.parentNode.querySelector(".anchor-head");
      return head ? head.textContent.replace(/\s+/g, " ").trim() : String(value);
    }
    if (el.type === "checkbox") return value ? M.ticked : M.unticked;
    if (!value) return M.empty;
    return value.length > 300 ? value.slice(0, 300) + "…" : value;
  }

  function labelOf(field) {
    var el = inputs[field][0];
    if (el.dataset.label) return el.dataset.label;
    var crit = el.closest(".kit-criterion");
    if (crit) {
      // A criterion's fields are named after its heading: "Name · rating" / "Name · note".
      var name = crit.querySelector("h3").textContent.trim();
      return name + " · " + (el.type === "radio" ? M.ratingWord : M.noteWord);
    }
    var holder = el.closest("[data-label]");
    return holder ? holder.dataset.label : field;
  }

  // --- the ledger on this device ----------------------------------------------------------

  function persist() {
    try {
      if (!Object.keys(pending).length && !submissionKey) {
        localStorage.removeItem(STORE);
      } else {
        localStorage.setItem(
          STORE,
          JSON.stringify({ lock: lock, pending: pending, key: submissionKey, at: Date.now() })
        );
      }
    } catch (e) {
      /* storage full or disabled: the in-memory ledger still retries */
    }
  }

  function loadStored() {
    try {
      var raw = localStorage.getItem(STORE);
      return raw ? JSON.parse(raw) : null;
    } catch (e) {
      return null;
    }
  }

  function forget() {
    pending = {};
    submissionKey = null;
    try { localStorage.removeItem(STORE); } catch (e) { /* ignore */ }
  }

  // --- status line ------------------------------------------------------------------------

  function clock() {
    return new Date().toTimeString().slice(0, 8);
  }

  function setStatus(state, extra) {
    statusEl.dataset.state = state;
    var text = {
      idle: M.idle,
      pending: M.pending,
      saving: M.saving,
      saved: (M.saved || "").replace("{time}", clock()),
      offline: M.offline,
      signedout: M.signedout,
      conflict: M.conflict,
      retrying: M.retrying,
      invalid: M.invalid,
      submitting: M.submitting,
      editing: M.editing,
      reloading: M.reloading
    }[state];
    statusEl.textContent = extra || text || "";
    if (state === "signedout") {
      var link = document.createElement("a");
      link.href = cfg.loginUrl;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = M.signin;
      statusEl.appendChild(document.createTextNode(" "));
      statusEl.appendChild(link);
    }
  }

  // --- network ----------------------------------------------------------------------------

  function request(method, url, body) {
    var ctl = new AbortController();
    var t = setTimeout(function () { ctl.abort(); }, TIMEOUT_MS);
    var headers = { Accept: "application/json", "X-CSRFToken": csrf };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      cache: "no-store",
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: ctl.signal
    })
      .then(function (r) {
        return r.json().catch(function () { return null; }).then(function (data) {
          return { status: r.status, data: data };
        });
      })
      .catch(function () { return { status: 0, data: null }; })
      .finally(function () { clearTimeout(t); });
  }

  function errorOf(res) {
    return (res.data && res.data.error) || {};
  }

  function isSignedOut(res) {
    // 401 from the kit's endpoints; the app's CSRF refusal (400, code "csrf") means the
    // session that held the page's token has ended.
    var err = errorOf(res);
    return res.status === 401 || (res.status === 400 && (err.code === "csrf" || typeof err.code !== "string"));
  }

  function hasPending() {
    return Object.keys(pending).length > 0;
  }

  function schedule() {
    if (mode !== "draft") return;
    var now = Date.now();
    if (!firstPendingAt) firstPendingAt = now;
    clearTimeout(timer);
    var wait = Math.max(0, Math.min(DEBOUNCE_MS, MAX_WAIT_MS - (now - firstPendingAt)));
    timer = setTimeout(flush, wait);
    if (!inflight && !conflictOpen && !signedOut) setStatus("pending");
  }

  function retryLater() {
    clearTimeout(retryTimer);
    retryDelay = Math.min(retryDelay ? retryDelay * 2 : 2000, 30000);
    retryTimer = setTimeout(function () {
      retryTimer = null;
      if (signedOut) refreshState();
      else flush();
    }, retryDelay);
  }

  function flush() {
    clearTimeout(timer);
    timer = null;
    if (mode !== "draft" || inflight || conflictOpen) return;
    if (signedOut) { refreshState(); return; }
    var keys = Object.keys(pending);
    if (!keys.length) { firstPendingAt = 0; return; }
    if (navigator.onLine === false) { setStatus("offline"); retryLater(); return; }
    firstPendingAt = 0;
    var changes = {};
    var sent = {};
    keys.forEach(function (k) { changes[k] = pending[k].v; sent[k] = pending[k].s; });
    inflight = true;
    setStatus("saving");
    request("POST", cfg.saveUrl, { lock_version: lock, changes: changes }).then(function (res) {
      inflight = false;
      onSaved(res, changes, sent);
    });
  }

  function onSaved(res, changes, sent) {
    var err = errorOf(res);
    if (res.status === 200 && res.data) {
      lock = res.data.lock_version;
      lastContact = Date.now();
      retryDelay = 0;
      Object.keys(changes).forEach(function (k) {
        server[k] = changes[k];
        var e = pending[k];
        if (e && e.s === sent[k]) delete pending[k];
        else if (e) e.b = changes[k];
      });
      persist();
      if (hasPending()) schedule();
      else setStatus("saved");
      return;
    }
    if (res.status === 409 && err.code === "conflict" && err.state) {
      lastContact = Date.now();
      rebase(err.state);
      return;
    }
    if (res.status === 409 && (err.code === "submitted" || err.code === "cancelled")) {
      forget();
      setStatus("reloading");
      window.location.reload();
      return;
    }
    if (isSignedOut(res)) {
      signedOut = true;
      setStatus("signedout");
      retryLater();
      return;
    }
    if (res.status === 422 || res.status === 400) {
      // The server refused a value (too long, out of range…): show it by the field and stop
      // sending that one change; the others go on.
      if (err.field && pending[err.field]) {
        showProblem(err.field, err.message);
        delete pending[err.field];
      } else {
        Object.keys(changes).forEach(function (k) { delete pending[k]; });
      }
      persist();
      setStatus("invalid", (M.invalid || "") + (err.message ? ": " + err.message : ""));
      if (hasPending()) schedule();
      return;
    }
    if (res.status === 404) {
      setStatus("invalid", err.message || "404");
      return;
    }
    setStatus(res.status === 0 ? "offline" : "retrying");
    retryLater();
  }

  function refreshState() {
    request("GET", cfg.stateUrl).then(function (res) {
      if (res.status === 200 && res.data) {
        csrf = res.data.csrf_token || csrf;
        signedOut = false;
        retryDelay = 0;
        lastContact = Date.now();
        rebase(res.data.state);
        return;
      }
      if (isSignedOut(res)) { signedOut = true; setStatus("signedout"); }
      else setStatus(res.status === 0 ? "offline" : "retrying");
      retryLater();
    });
  }

  // --- conflicts: merge the server's state with this device's pending changes ---------------

  function rebase(state, atStart) {
    if (state.status !== "draft" && mode === "draft") {
      forget();
      setStatus("reloading");
      window.location.reload();
      return;
    }
    lock = state.lock_version;
    var sv = state.fields || {};
    var conflicts = [];
    fieldNames.forEach(function (f) {
      var s = sv[f];
      var e = pending[f];
      server[f] = s;
      if (!e) {
        if (!same(read(f), s)) write(f, s); // follow the other tab's change
        return;
      }
      if (same(s, e.v)) { delete pending[f]; return; } // already there (a lost answer)
      if (!same(read(f), e.v)) write(f, e.v);
      if (same(s, e.b)) return; // nobody else touched it: this device's change still wins
      conflicts.push(f);
    });
    persist();
    if (conflicts.length) showConflicts(conflicts);
    else if (hasPending()) flush();
    else setStatus(atStart ? "idle" : "saved");
  }

  var conflictBox = document.getElementById("kit-conflict");
  var conflictList = document.getElementById("kit-conflict-list");

  function showConflicts(fields) {
    conflictOpen = true;
    setStatus("conflict");
    conflictList.textContent = "";
    fields.forEach(function (f) {
      var li = document.createElement("li");
      li.className = "kit-conflict-item";
      li.dataset.field = f;
      var title = document.createElement("strong");
      title.textContent = labelOf(f);
      var mine = document.createElement("p");
      mine.className = "kit-conflict-mine";
      mine.textContent = M.yours + ": " + shown(f, pending[f].v);
      var theirs = document.createElement("p");
      theirs.className = "kit-conflict-server";
      theirs.textContent = M.server + ": " + shown(f, server[f]);
      var keep = document.createElement("button");
      keep.type = "button";
      keep.className = "btn";
      keep.textContent = M.keepMine;
      keep.addEventListener("click", function () { resolve(f, true); });
      var take = document.createElement("button");
      take.type = "button";
      take.className = "btn";
      take.textContent = M.useServer;
      take.addEventListener("click", function () { resolve(f, false); });
      li.append(title, mine, theirs, keep, document.createTextNode(" "), take);
      conflictList.appendChild(li);
    });
    conflictBox.hidden = false;
    conflictBox.scrollIntoView({ block: "center" });
  }

  function resolve(field, keepMine) {
    if (pending[field]) {
      if (keepMine) pending[field].b = server[field];
      else { delete pending[field]; write(field, server[field]); }
    }
    var li = conflictList.querySelector('[data-field="' + CSS.escape(field) + '"]');
    if (li) li.remove();
    persist();
    if (!conflictList.children.length) {
      conflictBox.hidden = true;
      conflictOpen = false;
      if (hasPending()) flush();
      else setStatus("saved");
    }
  }

  document.getElementById("kit-conflict-all-mine").addEventListener("click", function () {
    Array.from(conflictList.children).forEach(function (li) { resolve(li.dataset.field, true); });
  });
  document.getElementById("kit-conflict-all-server").addEventListener("click", function () {
    Array.from(conflictList.children).forEach(function (li) { resolve(li.dataset.field, false); });
  });

  // --- recording changes ------------------------------------------------------------------

  function onChange(ev) {
    var el = ev.target;
    var f = el.dataset && el.dataset.field;
    if (!f) return;
    clearProblem(f);
    if (mode !== "draft") return; // editing a submitted card saves with a reason instead
    var e = pending[f];
    pending[f] = { v: read(f), b: e ? e.b : server[f], s: ++seq };
    persist();
    schedule();
  }

  form.addEventListener("input", onChange);
  form.addEventListener("change", function (ev) {
    if (ev.target.type === "radio" || ev.target.type === "checkbox") onChange(ev);
  });
  form.addEventListener("submit", function (ev) { ev.preventDefault(); });

  window.addEventListener("online", function () {
    retryDelay = 0;
    if (signedOut) refreshState();
    else flush();
  });
  window.addEventListener("offline", function () {
    if (hasPending()) setStatus("offline");
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") flush();
  });

  // --- problems shown next to their fields --------------------------------------------------

  var problemsBox = document.getElementById("kit-problems");

  function problemEl(field, create) {
    var el = form.querySelector('[data-problem-for="' + CSS.escape(field) + '"]');
    if (el || !create || !inputs[field]) return el;
    // Made on first use, right under its field (rating cards, or the text box's label).
    var input = inputs[field][0];
    var after = input.type === "radio" ? input.closest(".anchors") : input.closest("label") || input;
    el = document.createElement("p");
    el.className = "problem";
    el.dataset.problemFor = field;
    el.hidden = true;
    after.insertAdjacentElement("afterend", el);
    return el;
  }

  function showProblem(field, message) {
    var el = problemEl(field, true);
    if (!el) return false;
    el.textContent = message;
    el.hidden = false;
    var item = el.closest(".kit-item, .card");
    if (item) item.classList.add("has-problem");
    return true;
  }

  function clearProblem(field) {
    var el = problemEl(field);
    if (el && !el.hidden) {
      el.hidden = true;
      el.textContent = "";
      var item = el.closest(".kit-item, .card");
      if (item && !item.querySelector(".problem:not([hidden])")) item.classList.remove("has-problem");
    }
  }

  function clearProblems() {
    form.querySelectorAll(".problem").forEach(function (el) { el.hidden = true; el.textContent = ""; });
    form.querySelectorAll(".has-problem").forEach(function (el) { el.classList.remove("has-problem"); });
    problemsBox.hidden = true;
  }

  function showProblems(problems, title) {
    var list = problemsBox.querySelector("ul");
    list.textContent = "";
    document.getElementById("kit-problems-title").textContent = title || M.problems;
    problems.forEach(function (p) {
      var li = document.createElement("li");
      if (p.field && showProblem(p.field, p.message)) {
        var a = document.createElement("a");
        var target = problemEl(p.field).closest("[id]");
        a.href = "#" + (target ? target.id : "");
        a.textContent = (inputs[p.field] ? labelOf(p.field) + ": " : "") + p.message;
        li.appendChild(a);
      } else {
        li.textContent = p.message;
      }
      list.appendChild(li);
    });
    problemsBox.hidden = false;
    problemsBox.focus();
    problemsBox.scrollIntoView({ block: "start" });
  }

  // --- submit -------------------------------------------------------------------------------

  function newKey() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function settle(maxMs) {
    // Send what is pending now and wait until the server has acknowledged all of it.
    flush();
    var until = Date.now() + maxMs;
    return new Promise(function (done) {
      (function check() {
        if (!hasPending() && !inflight) return done(true);
        if (conflictOpen || signedOut || Date.now() > until) return done(false);
        if (!inflight && !timer && !retryTimer) flush();
        setTimeout(check, 100);
      })();
    });
  }

  var submitBtn = document.getElementById("kit-submit");
  var submitting = false;
  var leaving = false; // the page is reloading after a submission: no second request

  function reloadAfterSubmit() {
    // The button stays disabled and the key stays in memory until the new page replaces this
    // one: a click between the answer and the reload must not send a second submission.
    leaving = true;
    pending = {};
    try { localStorage.removeItem(STORE); } catch (e) { /* ignore */ }
    window.location.reload();
  }

  function submit() {
    if (submitting || leaving) return;
    submitting = true;
    submitBtn.disabled = true;
    clearProblems();
    if (!submissionKey) { submissionKey = newKey(); persist(); }
    settle(8000).then(function (ok) {
      if (!ok) {
        showProblems([{ field: null, message: M.submitUnsaved }], " ");
        return null;
      }
      setStatus("submitting");
      return request("POST", cfg.submitUrl, { submission_key: submissionKey, lock_version: lock });
    }).then(function (res) {
      if (res && res.status === 200) {
        setStatus("reloading", statusEl.textContent);
        reloadAfterSubmit();
        return;
      }
      // Submitted or cancelled meanwhile (not a stale-version conflict): show the new state.
      var gone = res && res.status === 409 && errorOf(res).state && errorOf(res).code !== "conflict";
      if (gone) { reloadAfterSubmit(); return; }
      submitting = false;
      submitBtn.disabled = false;
      if (!res) return;
      var err = errorOf(res);
      if (res.status === 422 && err.code === "incomplete") {
        setStatus("saved");
        showProblems(err.problems || []);
        return;
      }
      if (res.status === 409 && err.code === "conflict" && err.state) { rebase(err.state); return; }
      if (isSignedOut(res)) { signedOut = true; setStatus("signedout"); retryLater(); return; }
      if (res.status === 422 || res.status === 404) {
        showProblems([{ field: err.field, message: err.message }]);
        return;
      }
      setStatus(res.status === 0 ? "offline" : "retrying");
      showProblems([{ field: null, message: M.submitFailed }], " ");
    });
  }

  if (submitBtn) submitBtn.addEventListener("click", submit);

  // --- edit after submitting ----------------------------------------------------------------

  var editBtn = document.getElementById("kit-edit");
  if (editBtn) {
    var editBox = document.getElementById("kit-edit-box");
    var reason = document.getElementById("kit-reason");
    editBtn.addEventListener("click", function () {
      mode = "editing";
      document.getElementById("kit-fields").disabled = false;
      editBox.hidden = false;
      editBtn.hidden = true;
      setStatus("editing");
      reason.focus();
    });
    document.getElementById("kit-edit-cancel").addEventListener("click", function () {
      window.location.reload();
    });
    document.getElementById("kit-edit-save").addEventListener("click", function () {
      clearProblems();
      var changes = {};
      fieldNames.forEach(function (f) {
        var v = read(f);
        if (v !== undefined && !same(v, server[f])) changes[f] = v;
      });
      if (!Object.keys(changes).length) {
        showProblems([{ field: null, message: M.noChanges }], " ");
        return;
      }
      var body = { lock_version: lock, changes: changes, reason: reason.value };
      request("POST", cfg.editUrl, body).then(function (res) {
        var err = errorOf(res);
        if (res.status === 200) { window.location.reload(); return; }
        if (res.status === 422 && err.code === "incomplete") { showProblems(err.problems || []); return; }
        if (isSignedOut(res)) { setStatus("signedout"); return; }
        showProblems([{ field: err.field || null, message: err.message || M.submitFailed }]);
      });
    });
  }

  // --- keyboard -----------------------------------------------------------------------------

  var items = Array.from(document.querySelectorAll("[data-kit-item]"));
  var current = -1;

  function setCurrent(i) {
    if (current >= 0 && items[current]) items[current].classList.remove("current");
    current = i;
    if (items[i]) items[i].classList.add("current");
  }

  function focusItem(i) {
    if (!items.length) return;
    i = Math.max(0, Math.min(items.length - 1, i));
    setCurrent(i);
    items[i].focus({ preventScroll: true });
    items[i].scrollIntoView({ block: "center" });
  }

  function currentItem() {
    if (current < 0) {
      var inside = document.activeElement && document.activeElement.closest("[data-kit-item]");
      focusItem(inside ? items.indexOf(inside) : 0);
    }
    return items[current];
  }

  function rate(value) {
    var item = currentItem();
    if (!item) return;
    var radio = item.querySelector('input[type="radio"][value="' + value + '"]');
    if (!radio || radio.matches(":disabled")) return;
    radio.checked = true;
    radio.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function typing(el) {
    if (!el || !el.tagName) return false;
    if (el.isContentEditable || el.tagName === "TEXTAREA" || el.tagName === "SELECT") return true;
    return el.tagName === "INPUT" && ["radio", "checkbox", "button", "submit"].indexOf(el.type) < 0;
  }

  var help = document.getElementById("kit-help");
  function toggleHelp() {
    if (help.open) help.close();
    else help.showModal();
  }
  document.getElementById("kit-help-open").addEventListener("click", toggleHelp);
  document.getElementById("kit-help-close").addEventListener("click", function () { help.close(); });

  form.addEventListener("focusin", function (ev) {
    var item = ev.target.closest("[data-kit-item]");
    if (item) setCurrent(items.indexOf(item));
  });

  document.addEventListener("keydown", function (ev) {
    if (ev.defaultPrevented || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var t = ev.target;
    if (typing(t)) {
      if (ev.key === "Escape" && t.tagName === "TEXTAREA") {
        var item = t.closest("[data-kit-item]");
        t.blur();
        if (item) focusItem(items.indexOf(item));
        ev.preventDefault();
      }
      return;
    }
    if (help.open) {
      if (ev.key === "?") { help.close(); ev.preventDefault(); }
      return;
    }
    if (conflictOpen && /^[0-4jkn]$/.test(ev.key)) return;
    switch (ev.key) {
      case "j": focusItem(current + 1); break;
      case "k": focusItem(current <= 0 ? 0 : current - 1); break;
      case "1": case "2": case "3": case "4": rate(ev.key); break;
      case "0": rate("na"); break;
      case "n": {
        var it = currentItem();
        var note = it && it.querySelector("textarea");
        if (note && !note.matches(":disabled")) note.focus();
        else return;
        break;
      }
      case "?": toggleHelp(); break;
      default: return;
    }
    ev.preventDefault();
  });

  // --- keep the session alive during a long interview -----------------------------------------

  ["keydown", "pointerdown", "input"].forEach(function (name) {
    document.addEventListener(name, function () { lastActivity = Date.now(); }, { capture: true, passive: true });
  });
  setInterval(function () {
    var now = Date.now();
    // The server logs out after 30 idle minutes; while someone is working here (activity in
    // the last hour) a quiet stretch of listening must not end the session.
    if (mode === "cancelled" || now - lastActivity > 60 * 60 * 1000 || now - lastContact < 9 * 60 * 1000) return;
    request("POST", cfg.pingUrl, {}).then(function (res) {
      if (res.status === 200 && res.data) { csrf = res.data.csrf_token || csrf; lastContact = Date.now(); }
      else if (isSignedOut(res)) { signedOut = true; setStatus("signedout"); retryLater(); }
    });
  }, 60 * 1000);

  // --- start ----------------------------------------------------------------------------------

  fieldNames.forEach(function (f) { server[f] = read(f); });
  if (mode === "draft") {
    var stored = loadStored();
    if (stored && stored.pending && typeof stored.pending === "object") {
      pending = stored.pending;
      submissionKey = stored.key || null;
      Object.keys(pending).forEach(function (f) {
        if (!inputs[f]) delete pending[f];
        else seq = Math.max(seq, pending[f].s || 0);
      });
      // The page shows the server's values; this device's unacknowledged changes are newer
      // unless the server changed the same field meanwhile (then the user chooses).
      rebase({ status: "draft", lock_version: lock, fields: server }, true);
    }
  } else {
    forget();
  }
})();
