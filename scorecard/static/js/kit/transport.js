/* Sending the kit's changes: one JSON request (fetch injected, with a time limit), how an
 * answer is read (signed out, conflict, refused), and the autosaver — debounce, retries with
 * back-off, merging the server's state on a stale save (409 with lock_version), waiting until
 * everything is acknowledged before a submission. No DOM here: the page passes hooks. */

import { same } from "./ledger.js";

export const DEBOUNCE_MS = 600;
export const MAX_WAIT_MS = 1800; // every change leaves within 2 s, even while typing on
export const TIMEOUT_MS = 15000;

const realTimers = {
  setTimeout: function (fn, ms) { return setTimeout(fn, ms); },
  clearTimeout: function (t) { clearTimeout(t); },
  now: function () { return Date.now(); }
};

/**
 * JSON requests to the kit's endpoints. `fetch` is injected; every answer becomes
 * {status, data} (status 0 when the network failed or the time limit passed).
 */
export function createTransport(opts) {
  const fetchImpl = opts.fetch;
  const timers = opts.timers || realTimers;
  const timeoutMs = opts.timeoutMs || TIMEOUT_MS;
  let csrf = opts.csrf || "";

  function request(method, url, body) {
    const ctl = new AbortController();
    const t = timers.setTimeout(function () { ctl.abort(); }, timeoutMs);
    const headers = { Accept: "application/json", "X-CSRFToken": csrf };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    return new Promise(function (sent) {
      sent(fetchImpl(url, {
        method: method,
        credentials: "same-origin",
        cache: "no-store",
        headers: headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: ctl.signal
      }));
    })
      .then(function (r) {
        return r.json().catch(function () { return null; }).then(function (data) {
          return { status: r.status, data: data };
        });
      })
      .catch(function () { return { status: 0, data: null }; })
      .finally(function () { timers.clearTimeout(t); });
  }

  return {
    request: request,
    get csrf() { return csrf; },
    /** The state and ping answers bring a fresh CSRF token (kept when they bring none). */
    renewCsrf(token) { csrf = token || csrf; }
  };
}

export function errorOf(res) {
  return (res.data && res.data.error) || {};
}

export function isSignedOut(res) {
  // 401 from the kit's endpoints; the app's CSRF refusal (400, code "csrf") means the
  // session that held the page's token has ended.
  const err = errorOf(res);
  return res.status === 401 || (res.status === 400 && (err.code === "csrf" || typeof err.code !== "string"));
}

/** The wait before the next retry: 2 s, doubling, at most 30 s. */
export function nextRetryDelay(previous) {
  return Math.min(previous ? previous * 2 : 2000, 30000);
}

/**
 * The autosaver of a draft. `ledger` is the offline ledger, `transport` a createTransport,
 * `urls` {save, state}, `fields` the field names. Hooks: draft() (still a draft being
 * saved?), online(), read(field) and write(field, value) of the page's inputs,
 * status(state, extra), conflicts(fields) (show the choice), problem(field, message),
 * reload().
 */
export function createSaver(opts) {
  const ledger = opts.ledger;
  const transport = opts.transport;
  const urls = opts.urls;
  const fieldNames = opts.fields;
  const hooks = opts.hooks;
  const timers = opts.timers || realTimers;

  let inflight = false;
  let timer = null;
  let firstPendingAt = 0;
  let retryTimer = null;
  let retryDelay = 0;
  let signedOut = false;
  let conflictOpen = false;
  let lastContact = timers.now();

  function status(state, extra) { hooks.status(state, extra); }

  function schedule() {
    if (!hooks.draft()) return;
    const now = timers.now();
    if (!firstPendingAt) firstPendingAt = now;
    timers.clearTimeout(timer);
    const wait = Math.max(0, Math.min(DEBOUNCE_MS, MAX_WAIT_MS - (now - firstPendingAt)));
    timer = timers.setTimeout(flush, wait);
    if (!inflight && !conflictOpen && !signedOut) status("pending");
  }

  function retryLater() {
    timers.clearTimeout(retryTimer);
    retryDelay = nextRetryDelay(retryDelay);
    retryTimer = timers.setTimeout(function () {
      retryTimer = null;
      if (signedOut) refreshState();
      else flush();
    }, retryDelay);
  }

  function flush() {
    timers.clearTimeout(timer);
    timer = null;
    if (!hooks.draft() || inflight || conflictOpen) return;
    if (signedOut) { refreshState(); return; }
    if (!ledger.hasPending()) { firstPendingAt = 0; return; }
    if (!hooks.online()) { status("offline"); retryLater(); return; }
    firstPendingAt = 0;
    const b = ledger.batch();
    inflight = true;
    status("saving");
    transport.request("POST", urls.save, { lock_version: ledger.lock, changes: b.changes }).then(function (res) {
      inflight = false;
      onSaved(res, b.changes, b.sent);
    });
  }

  function onSaved(res, changes, sent) {
    const err = errorOf(res);
    if (res.status === 200 && res.data) {
      lastContact = timers.now();
      retryDelay = 0;
      ledger.acknowledge(changes, sent, res.data.lock_version);
      if (ledger.hasPending()) schedule();
      else status("saved");
      return;
    }
    if (res.status === 409 && err.code === "conflict" && err.state) {
      lastContact = timers.now();
      rebase(err.state);
      return;
    }
    if (res.status === 409 && (err.code === "submitted" || err.code === "cancelled")) {
      leave();
      return;
    }
    if (isSignedOut(res)) {
      signedOutNow();
      return;
    }
    if (res.status === 422 || res.status === 400) {
      // The server refused a value (too long, out of range…): show it by the field and stop
      // sending that one change; the others go on.
      if (err.field && ledger.pendingOf(err.field)) {
        hooks.problem(err.field, err.message);
        ledger.drop([err.field]);
      } else {
        ledger.drop(Object.keys(changes));
      }
      status("invalid", (opts.invalidText || "") + (err.message ? ": " + err.message : ""));
      if (ledger.hasPending()) schedule();
      return;
    }
    if (res.status === 404) {
      status("invalid", err.message || "404");
      return;
    }
    status(res.status === 0 ? "offline" : "retrying");
    retryLater();
  }

  function leave() {
    // The card was submitted or cancelled elsewhere: what is pending here cannot be saved.
    ledger.forget();
    status("reloading");
    hooks.reload();
  }

  function signedOutNow() {
    signedOut = true;
    status("signedout");
    retryLater();
  }

  function refreshState() {
    transport.request("GET", urls.state).then(function (res) {
      if (res.status === 200 && res.data) {
        transport.renewCsrf(res.data.csrf_token);
        signedOut = false;
        retryDelay = 0;
        lastContact = timers.now();
        rebase(res.data.state);
        return;
      }
      if (isSignedOut(res)) { signedOut = true; status("signedout"); }
      else status(res.status === 0 ? "offline" : "retrying");
      retryLater();
    });
  }

  /** Merge the server's state with this device's pending changes. */
  function rebase(state, atStart) {
    if (state.status !== "draft" && hooks.draft()) { leave(); return; }
    const merged = ledger.merge(state, fieldNames);
    merged.show.forEach(function (fv) {
      if (!same(hooks.read(fv[0]), fv[1])) hooks.write(fv[0], fv[1]);
    });
    if (merged.conflicts.length) {
      conflictOpen = true;
      status("conflict");
      hooks.conflicts(merged.conflicts);
    } else if (ledger.hasPending()) flush();
    else status(atStart ? "idle" : "saved");
  }

  /** Every conflict has been decided: send what is left. */
  function conflictsResolved() {
    conflictOpen = false;
    if (ledger.hasPending()) flush();
    else status("saved");
  }

  function settle(maxMs) {
    // Send what is pending now and wait until the server has acknowledged all of it.
    flush();
    const until = timers.now() + maxMs;
    return new Promise(function (done) {
      (function check() {
        if (!ledger.hasPending() && !inflight) return done(true);
        if (conflictOpen || signedOut || timers.now() > until) return done(false);
        if (!inflight && !timer && !retryTimer) flush();
        timers.setTimeout(check, 100);
      })();
    });
  }

  return {
    /** A change was recorded in the ledger: send it soon. */
    changed: schedule,
    flush: flush,
    rebase: rebase,
    settle: settle,
    conflictsResolved: conflictsResolved,
    /** An answer said the session has ended: keep the changes, retry until signed in. */
    signedOut: signedOutNow,
    /** The network is back: retry now. */
    online: function () {
      retryDelay = 0;
      if (signedOut) refreshState();
      else flush();
    },
    /** The server answered (a ping): the session is alive. */
    contact: function () { lastContact = timers.now(); },
    get lastContact() { return lastContact; },
    get conflictOpen() { return conflictOpen; }
  };
}
