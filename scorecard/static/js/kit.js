/* Interview kit page (entry module, loaded with <script type="module">): autosave with an
 * offline ledger, conflict choice, keyboard scoring, submit once, edit after submitting.
 * No framework, no build step. The parts live in ./kit/: ledger.js (pending changes and
 * their storage), transport.js (requests, retries, conflicts), fields.js (the inputs),
 * ui.js (status, problems, conflict choice), keys.js (keyboard). This file wires them to
 * the page and holds the submit, edit and keep-alive flows. */

import { createFields } from "./kit/fields.js";
import { initKeys } from "./kit/keys.js";
import { createLedger, same } from "./kit/ledger.js";
import { createSaver, createTransport, errorOf, isSignedOut } from "./kit/transport.js";
import { createConflicts, createProblems, createStatus } from "./kit/ui.js";

function localStorageOrNull() {
  try { return window.localStorage; } catch (e) { return null; }
}

function newKey() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
}

function start(root) {
  const form = document.getElementById("kit-form");
  const statusEl = document.getElementById("kit-status");
  const M = JSON.parse(document.getElementById("kit-messages").dataset.messages || "{}");
  const cfg = root.dataset;
  let mode = cfg.mode; // draft | submitted | cancelled | editing
  const csrfMeta = document.querySelector('meta[name="csrf-token"]');
  let lastActivity = Date.now();

  const fields = createFields(form, M);
  const ledger = createLedger({
    storage: localStorageOrNull(),
    key: "scorecard-kit:v1:" + cfg.userId + ":" + cfg.cardId,
    lock: parseInt(cfg.lock, 10)
  });
  const transport = createTransport({
    fetch: function (url, init) { return fetch(url, init); },
    csrf: csrfMeta ? csrfMeta.content : ""
  });
  const request = transport.request;
  const setStatus = createStatus(statusEl, M, cfg.loginUrl);
  const problems = createProblems(form, fields, M);
  let conflicts = null;
  const saver = createSaver({
    ledger: ledger,
    transport: transport,
    urls: { save: cfg.saveUrl, state: cfg.stateUrl },
    fields: fields.names,
    invalidText: M.invalid,
    hooks: {
      draft: function () { return mode === "draft"; },
      online: function () { return navigator.onLine !== false; },
      read: fields.read,
      write: fields.write,
      status: setStatus,
      conflicts: function (names) { conflicts.show(names); },
      problem: problems.show,
      reload: function () { window.location.reload(); }
    }
  });
  conflicts = createConflicts(ledger, fields, M, saver.conflictsResolved);

  // --- recording changes ------------------------------------------------------------------

  function onChange(ev) {
    const el = ev.target;
    const f = el.dataset && el.dataset.field;
    if (!f) return;
    problems.clear(f);
    if (mode !== "draft") return; // editing a submitted card saves with a reason instead
    ledger.record(f, fields.read(f));
    saver.changed();
  }

  form.addEventListener("input", onChange);
  form.addEventListener("change", function (ev) {
    if (ev.target.type === "radio" || ev.target.type === "checkbox") onChange(ev);
  });
  form.addEventListener("submit", function (ev) { ev.preventDefault(); });

  window.addEventListener("online", saver.online);
  window.addEventListener("offline", function () {
    if (ledger.hasPending()) setStatus("offline");
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") saver.flush();
  });

  // --- submit -------------------------------------------------------------------------------

  const submitBtn = document.getElementById("kit-submit");
  let submitting = false;
  let leaving = false; // the page is reloading after a submission: no second request

  function reloadAfterSubmit() {
    // The button stays disabled and the key stays in memory until the new page replaces this
    // one: a click between the answer and the reload must not send a second submission.
    leaving = true;
    ledger.forget(true);
    window.location.reload();
  }

  function submit() {
    if (submitting || leaving) return;
    submitting = true;
    submitBtn.disabled = true;
    problems.clearAll();
    ledger.ensureSubmissionKey(newKey);
    saver.settle(8000).then(function (ok) {
      if (!ok) {
        problems.showAll([{ field: null, message: M.submitUnsaved }], " ");
        return null;
      }
      setStatus("submitting");
      return request("POST", cfg.submitUrl, { submission_key: ledger.submissionKey, lock_version: ledger.lock });
    }).then(function (res) {
      if (res && res.status === 200) {
        setStatus("reloading", statusEl.textContent);
        reloadAfterSubmit();
        return;
      }
      // Submitted or cancelled meanwhile (not a stale-version conflict): show the new state.
      const gone = res && res.status === 409 && errorOf(res).state && errorOf(res).code !== "conflict";
      if (gone) { reloadAfterSubmit(); return; }
      submitting = false;
      submitBtn.disabled = false;
      if (!res) return;
      const err = errorOf(res);
      if (res.status === 422 && err.code === "incomplete") {
        setStatus("saved");
        problems.showAll(err.problems || []);
        return;
      }
      if (res.status === 409 && err.code === "conflict" && err.state) { saver.rebase(err.state); return; }
      if (isSignedOut(res)) { saver.signedOut(); return; }
      if (res.status === 422 || res.status === 404) {
        problems.showAll([{ field: err.field, message: err.message }]);
        return;
      }
      setStatus(res.status === 0 ? "offline" : "retrying");
      problems.showAll([{ field: null, message: M.submitFailed }], " ");
    });
  }

  if (submitBtn) submitBtn.addEventListener("click", submit);

  // --- edit after submitting ----------------------------------------------------------------

  const editBtn = document.getElementById("kit-edit");
  if (editBtn) {
    const editBox = document.getElementById("kit-edit-box");
    const reason = document.getElementById("kit-reason");
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
      problems.clearAll();
      const changes = {};
      fields.names.forEach(function (f) {
        const v = fields.read(f);
        if (v !== undefined && !same(v, ledger.serverValue(f))) changes[f] = v;
      });
      if (!Object.keys(changes).length) {
        problems.showAll([{ field: null, message: M.noChanges }], " ");
        return;
      }
      const body = { lock_version: ledger.lock, changes: changes, reason: reason.value };
      request("POST", cfg.editUrl, body).then(function (res) {
        const err = errorOf(res);
        if (res.status === 200) { window.location.reload(); return; }
        if (res.status === 422 && err.code === "incomplete") { problems.showAll(err.problems || []); return; }
        if (isSignedOut(res)) { setStatus("signedout"); return; }
        problems.showAll([{ field: err.field || null, message: err.message || M.submitFailed }]);
      });
    });
  }

  // --- keyboard -----------------------------------------------------------------------------

  initKeys(form, function () { return saver.conflictOpen; });

  // --- keep the session alive during a long interview -----------------------------------------

  ["keydown", "pointerdown", "input"].forEach(function (name) {
    document.addEventListener(name, function () { lastActivity = Date.now(); }, { capture: true, passive: true });
  });
  setInterval(function () {
    const now = Date.now();
    // The server logs out after 30 idle minutes; while someone is working here (activity in
    // the last hour) a quiet stretch of listening must not end the session.
    if (mode === "cancelled" || now - lastActivity > 60 * 60 * 1000 || now - saver.lastContact < 9 * 60 * 1000) return;
    request("POST", cfg.pingUrl, {}).then(function (res) {
      if (res.status === 200 && res.data) { transport.renewCsrf(res.data.csrf_token); saver.contact(); }
      else if (isSignedOut(res)) saver.signedOut();
    });
  }, 60 * 1000);

  // --- start ----------------------------------------------------------------------------------

  fields.names.forEach(function (f) { ledger.setServer(f, fields.read(f)); });
  if (mode === "draft") {
    if (ledger.restore(fields.names)) {
      // The page shows the server's values; this device's unacknowledged changes are newer
      // unless the server changed the same field meanwhile (then the user chooses).
      const shownNow = {};
      fields.names.forEach(function (f) { shownNow[f] = ledger.serverValue(f); });
      saver.rebase({ status: "draft", lock_version: ledger.lock, fields: shownNow }, true);
    }
  } else {
    ledger.forget();
  }
  // Every handler is in place: keys, clicks and the edit button work from here on.
  root.dataset.ready = "true";
}

const kitRoot = document.getElementById("kit");
if (kitRoot) start(kitRoot);
