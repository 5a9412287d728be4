// The kit's autosaver (createSaver in scorecard/static/js/kit/transport.js): debounce,
// retries with back-off, conflicts (409 with lock_version), refusals, signing out and back
// in, and waiting before a submission; fetch and the clock are fakes.
import assert from "node:assert/strict";
import { test } from "node:test";

import { createLedger } from "../../scorecard/static/js/kit/ledger.js";
import { DEBOUNCE_MS, createSaver, createTransport } from "../../scorecard/static/js/kit/transport.js";
import { answer, fakeFetch, fakeTimers, memoryStorage, settle } from "./fakes.mjs";

const SAVE = "/kit/42/save";
const STATE = "/kit/42/state";

/** A kit page without a page: fields held in `shown`, every hook call recorded. */
function kit({ script, fallback, server = {}, lock = 3, online = true } = {}) {
  const timers = fakeTimers();
  const net = fakeFetch(script, fallback === undefined ? answer(500, null) : fallback);
  const storage = memoryStorage();
  const ledger = createLedger({ storage, key: "k", lock, now: timers.now });
  const shown = { ...server };
  Object.entries(server).forEach(([f, v]) => ledger.setServer(f, v));
  const log = { status: [], conflicts: [], problems: [], reloads: 0, writes: [] };
  const page = { draft: true, online };
  const transport = createTransport({ fetch: net.fetch, csrf: "tok1", timers });
  const saver = createSaver({
    ledger,
    transport,
    urls: { save: SAVE, state: STATE },
    fields: Object.keys(server),
    invalidText: "Not saved",
    timers,
    hooks: {
      draft: () => page.draft,
      online: () => page.online,
      read: (f) => shown[f],
      write: (f, v) => { shown[f] = v; log.writes.push([f, v]); },
      status: (state, extra) => log.status.push(extra ? `${state}:${extra}` : state),
      conflicts: (fields) => log.conflicts.push(fields),
      problem: (field, message) => log.problems.push([field, message]),
      reload: () => { log.reloads += 1; }
    }
  });
  /** The user changes a field, as the page's input listener does. */
  const change = (f, v) => { shown[f] = v; ledger.record(f, v); saver.changed(); };
  const last = () => log.status[log.status.length - 1];
  return { timers, net, storage, ledger, saver, transport, shown, log, page, change, last };
}

const saved = (lock) => answer(200, { lock_version: lock });
const conflict = (state) => answer(409, { error: { code: "conflict", state } });

// --- the autosaver ----------------------------------------------------------------------

test("changes wait for a pause in typing, then leave together in one save", async () => {
  const k = kit({ script: [saved(4)], server: { a: null, b: null } });
  k.change("a", 2);
  assert.equal(k.last(), "pending");
  await k.timers.advance(DEBOUNCE_MS - 100);
  k.change("b", "note");
  await k.timers.advance(DEBOUNCE_MS - 1);
  assert.equal(k.net.calls.length, 0);
  await k.timers.advance(1);
  assert.equal(k.net.calls.length, 1);
  assert.deepEqual(k.net.calls[0].body, { lock_version: 3, changes: { a: 2, b: "note" } });
  assert.deepEqual(k.log.status, ["pending", "pending", "saving", "saved"]);
  assert.equal(k.ledger.lock, 4);
  assert.equal(k.ledger.hasPending(), false);
  assert.equal(k.storage.getItem("k"), null);
});

test("typing on without a pause still saves within 1.8 s", async () => {
  const k = kit({ fallback: saved(4), server: { a: "" } });
  let text = "";
  for (let t = 0; t < 1800; t += 200) {
    text += "x";
    k.change("a", text);
    await k.timers.advance(200);
  }
  assert.equal(k.net.calls.length, 1);
  assert.equal(k.net.calls[0].body.changes.a, "x".repeat(9));
});

test("a change made while a save is on its way is sent next, against the saved value", async () => {
  let release;
  const slow = new Promise((r) => { release = r; });
  const k = kit({ script: [slow, saved(5)], server: { a: 1 } });
  k.change("a", 2);
  await k.timers.advance(DEBOUNCE_MS);
  k.change("a", 3);
  await k.timers.advance(DEBOUNCE_MS); // the first save is still out: nothing more is sent
  assert.equal(k.net.calls.length, 1);
  release(saved(4));
  await settle();
  assert.deepEqual(k.ledger.pendingOf("a"), { v: 3, b: 2, s: 2 });
  await k.timers.advance(DEBOUNCE_MS);
  assert.deepEqual(k.net.calls.map((c) => c.body), [
    { lock_version: 3, changes: { a: 2 } },
    { lock_version: 4, changes: { a: 3 } }
  ]);
  assert.equal(k.last(), "saved");
  assert.equal(k.ledger.hasPending(), false);
});

test("a failing server is retried after 2, 4, 8 s… and the change is kept meanwhile", async () => {
  const k = kit({ script: [answer(500), answer(503), answer(502), saved(4)], server: { a: 1 } });
  k.change("a", 2);
  await k.timers.advance(DEBOUNCE_MS);
  assert.equal(k.net.calls.length, 1);
  assert.equal(k.last(), "retrying");
  assert.deepEqual(JSON.parse(k.storage.getItem("k")).pending.a.v, 2);
  for (const wait of [2000, 4000, 8000]) {
    await k.timers.advance(wait - 1);
    const before = k.net.calls.length;
    await k.timers.advance(1);
    assert.equal(k.net.calls.length, before + 1, `retry after ${wait} ms`);
  }
  assert.equal(k.last(), "saved");
  assert.equal(k.ledger.hasPending(), false);
  // A success resets the back-off: the next failure waits 2 s again.
  k.net.calls.length = 0;
  k.change("a", 3);
  await k.timers.advance(DEBOUNCE_MS);
  assert.equal(k.net.calls.length, 1); // the fallback: 500
  assert.deepEqual(k.timers.pending(), [2000]);
});

test("offline, nothing is sent; the change goes when the network is back", async () => {
  const k = kit({ script: [saved(4)], server: { a: 1 }, online: false });
  k.change("a", 2);
  await k.timers.advance(DEBOUNCE_MS);
  assert.equal(k.net.calls.length, 0);
  assert.equal(k.last(), "offline");
  k.page.online = true;
  k.saver.online();
  await settle();
  assert.equal(k.net.calls.length, 1);
  assert.equal(k.last(), "saved");
  await k.timers.advance(60_000); // the retry still set finds nothing left to send
  assert.equal(k.net.calls.length, 1);
});

test("a network error reads as offline and is retried", async () => {
  const k = kit({ script: [new TypeError("Failed to fetch"), saved(4)], server: { a: 1 } });
  k.change("a", 2);
  await k.timers.advance(DEBOUNCE_MS);
  assert.equal(k.last(), "offline");
  await k.timers.advance(2000);
  assert.equal(k.net.calls.length, 2);
  assert.equal(k.last(), "saved");
});

test("a stale save merges the server's state: other fields follow, mine is resent", async () => {
  const state = { status: "draft", lock_version: 7, fields: { a: 1, b: "theirs" } };
  const k = kit({ script: [conflict(state), saved(8)], server: { a: 1, b: "" } });
  k.change("a", 4);
  await k.timers.advance(DEBOUNCE_MS);
  assert.deepEqual(k.log.writes, [["b", "theirs"]]); // the other tab's change shows here
  assert.deepEqual(k.log.conflicts, []);
  assert.deepEqual(k.net.calls.map((c) => c.body), [
    { lock_version: 3, changes: { a: 4 } },
    { lock_version: 7, changes: { a: 4 } }
  ]);
  assert.equal(k.last(), "saved");
  assert.equal(k.ledger.lock, 8);
});

test("a stale save of a field the server changed too waits for the user's choice", async () => {
  const state = { status: "draft", lock_version: 7, fields: { a: 3, b: 2 } };
  const k = kit({ script: [conflict(state), saved(8)], server: { a: 1, b: 2 } });
  k.change("a", 4);
  await k.timers.advance(DEBOUNCE_MS);
  assert.deepEqual(k.log.conflicts, [["a"]]);
  assert.equal(k.last(), "conflict");
  assert.equal(k.saver.conflictOpen, true);
  assert.equal(k.shown.a, 4); // mine stays on the page while undecided
  // Nothing is sent while the choice is open, whatever else changes.
  k.change("b", 1);
  await k.timers.advance(10_000);
  assert.equal(k.net.calls.length, 1);
  assert.equal(k.last(), "conflict");
  // Keep mine: it is sent against the server's version.
  k.ledger.resolve("a", true);
  k.saver.conflictsResolved();
  await settle();
  assert.equal(k.saver.conflictOpen, false);
  assert.deepEqual(k.net.calls[1].body, { lock_version: 7, changes: { a: 4, b: 1 } });
  assert.equal(k.last(), "saved");
});

test("choosing the server's version sends nothing", async () => {
  const state = { status: "draft", lock_version: 7, fields: { a: 3 } };
  const k = kit({ script: [conflict(state)], server: { a: 1 } });
  k.change("a", 4);
  await k.timers.advance(DEBOUNCE_MS);
  assert.equal(k.ledger.resolve("a", false), true);
  k.saver.conflictsResolved();
  await k.timers.advance(60_000);
  assert.equal(k.net.calls.length, 1);
  assert.equal(k.last(), "saved");
  assert.equal(k.storage.getItem("k"), null);
});

test("a card submitted or cancelled elsewhere: the ledger is dropped and the page reloads", async () => {
  for (const code of ["submitted", "cancelled"]) {
    const k = kit({ script: [answer(409, { error: { code, state: {} } })], server: { a: 1 } });
    k.change("a", 2);
    await k.timers.advance(DEBOUNCE_MS);
    assert.equal(k.log.reloads, 1);
    assert.equal(k.last(), "reloading");
    assert.equal(k.storage.getItem("k"), null);
  }
});

test("a refused value is shown by its field and dropped; the other changes go on", async () => {
  const refused = answer(422, { error: { code: "invalid", field: "a", message: "Too long" } });
  const k = kit({ script: [refused, saved(4)], server: { a: "", b: 1 } });
  k.change("a", "x".repeat(5));
  k.change("b", 2);
  await k.timers.advance(DEBOUNCE_MS);
  assert.deepEqual(k.log.problems, [["a", "Too long"]]);
  assert.ok(k.log.status.includes("invalid:Not saved: Too long"));
  assert.deepEqual(k.ledger.pendingFields(), ["b"]);
  await k.timers.advance(DEBOUNCE_MS);
  assert.deepEqual(k.net.calls[1].body.changes, { b: 2 });
  assert.equal(k.last(), "saved");
});

test("a refusal naming no pending field drops the whole batch", async () => {
  const k = kit({ script: [answer(422, { error: { code: "invalid" } })], server: { a: 1, b: 1 } });
  k.change("a", 2);
  k.change("b", 2);
  await k.timers.advance(DEBOUNCE_MS);
  assert.equal(k.ledger.hasPending(), false);
  assert.equal(k.last(), "invalid:Not saved");
  await k.timers.advance(60_000);
  assert.equal(k.net.calls.length, 1);
});

test("signed out: changes are kept, the state is polled until signed in again, then sent", async () => {
  const state = { status: "draft", lock_version: 6, fields: { a: 1 } };
  const k = kit({
    script: [
      answer(400, { error: { code: "csrf" } }), // the save: the session has ended
      answer(401, { error: { code: "login" } }), // still signed out
      answer(200, { csrf_token: "tok2", state }), // signed in again (another tab)
      saved(7)
    ],
    server: { a: 1 }
  });
  k.change("a", 2);
  await k.timers.advance(DEBOUNCE_MS);
  assert.equal(k.last(), "signedout");
  k.change("a", 3); // typing on: no "pending" over the sign-in link
  assert.equal(k.last(), "signedout");
  await k.timers.advance(2000);
  assert.equal(k.net.calls[1].url, STATE);
  assert.equal(k.last(), "signedout");
  await k.timers.advance(4000);
  assert.deepEqual(k.net.calls.map((c) => [c.method, c.url]), [
    ["POST", SAVE],
    ["GET", STATE],
    ["GET", STATE],
    ["POST", SAVE]
  ]);
  assert.equal(k.net.calls[3].headers["X-CSRFToken"], "tok2");
  assert.deepEqual(k.net.calls[3].body, { lock_version: 6, changes: { a: 3 } });
  assert.equal(k.last(), "saved");
});

test("saving stops once the card is no longer a draft being edited here", async () => {
  const k = kit({ fallback: saved(4), server: { a: 1 } });
  k.page.draft = false;
  k.change("a", 2);
  await k.timers.advance(10_000);
  assert.equal(k.net.calls.length, 0);
  assert.deepEqual(k.log.status, []);
});

test("rebase at the start restores this device's changes without a save status", async () => {
  const k = kit({ server: { a: 1 } });
  k.ledger.record("a", 2);
  k.page.online = false; // nothing can be sent yet
  k.saver.rebase({ status: "draft", lock_version: 3, fields: { a: 1 } }, true);
  assert.deepEqual(k.log.writes, [["a", 2]]);
  assert.equal(k.last(), "offline");
  const quiet = kit({ server: { a: 1 } });
  quiet.saver.rebase({ status: "draft", lock_version: 3, fields: { a: 1 } }, true);
  assert.deepEqual(quiet.log.status, ["idle"]);
});

test("settle waits until everything is acknowledged", async () => {
  let release;
  const k = kit({ script: [new Promise((r) => { release = r; })], server: { a: 1 } });
  k.change("a", 2);
  let done = null;
  k.saver.settle(8000).then((ok) => { done = ok; });
  await k.timers.advance(300);
  assert.equal(done, null);
  release(saved(4));
  await k.timers.advance(100);
  assert.equal(done, true);
});

test("settle gives up on a conflict, a sign-out or after its time", async () => {
  const state = { status: "draft", lock_version: 7, fields: { a: 3 } };
  const cases = [
    [conflict(state), 100],
    [answer(401, null), 100],
    [answer(500, null), 8100]
  ];
  for (const [reply, within] of cases) {
    const k = kit({ script: [reply], server: { a: 1 } });
    k.ledger.record("a", 2);
    let done = null;
    k.saver.settle(8000).then((ok) => { done = ok; });
    await k.timers.advance(within - 1);
    assert.equal(done, null);
    await k.timers.advance(1);
    assert.equal(done, false);
  }
});
