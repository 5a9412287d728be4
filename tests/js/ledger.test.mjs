// The kit's offline ledger (scorecard/static/js/kit/ledger.js): bases, ordering, dedup of
// acknowledged changes, merging the server's state, and persistence across page reloads.
import assert from "node:assert/strict";
import { test } from "node:test";

import { createLedger, same } from "../../scorecard/static/js/kit/ledger.js";
import { brokenStorage, memoryStorage } from "./fakes.mjs";

const KEY = "scorecard-kit:v1:7:42";

function ledgerWith(storage, server, lock = 3, now = () => 1234) {
  const l = createLedger({ storage, key: KEY, lock, now });
  Object.entries(server || {}).forEach(([f, v]) => l.setServer(f, v));
  return l;
}

function stored(storage) {
  const raw = storage.getItem(KEY);
  return raw === null ? null : JSON.parse(raw);
}

test("same treats undefined and null alike and nothing else", () => {
  assert.equal(same(undefined, null), true);
  assert.equal(same(null, null), true);
  assert.equal(same(0, null), false);
  assert.equal(same("", null), false);
  assert.equal(same(2, 2), true);
  assert.equal(same("2", 2), false);
});

test("a change is recorded against the server value, with increasing order numbers", () => {
  const storage = memoryStorage();
  const l = ledgerWith(storage, { a: 1, b: "old" });
  l.record("a", 2);
  l.record("b", "new");
  assert.deepEqual(l.pendingOf("a"), { v: 2, b: 1, s: 1 });
  assert.deepEqual(l.pendingOf("b"), { v: "new", b: "old", s: 2 });
  assert.deepEqual(l.pendingFields(), ["a", "b"]);
  assert.equal(l.hasPending(), true);
  assert.deepEqual(stored(storage), {
    lock: 3,
    pending: { a: { v: 2, b: 1, s: 1 }, b: { v: "new", b: "old", s: 2 } },
    key: null,
    at: 1234
  });
});

test("a second change of the same field keeps the first one's base", () => {
  const l = ledgerWith(memoryStorage(), { a: 1 });
  l.record("a", 2);
  l.setServer("a", 9); // (the server value moving does not rebase an unsent change)
  l.record("a", 3);
  assert.deepEqual(l.pendingOf("a"), { v: 3, b: 1, s: 2 });
});

test("batch sends the newest value of each field with its order number", () => {
  const l = ledgerWith(memoryStorage(), {});
  l.record("a", 1);
  l.record("b", true);
  l.record("a", 4);
  assert.deepEqual(l.batch(), { changes: { a: 4, b: true }, sent: { a: 3, b: 2 } });
});

test("acknowledging removes what was sent but keeps a change made while it was on its way", () => {
  const storage = memoryStorage();
  const l = ledgerWith(storage, { a: 1, b: null });
  l.record("a", 2);
  l.record("b", "x");
  const { changes, sent } = l.batch();
  l.record("a", 3); // typed on while the save was in flight
  l.acknowledge(changes, sent, 4);
  assert.equal(l.lock, 4);
  assert.equal(l.serverValue("a"), 2);
  assert.equal(l.serverValue("b"), "x");
  assert.equal(l.pendingOf("b"), undefined);
  // Still pending, now against the value the server has.
  assert.deepEqual(l.pendingOf("a"), { v: 3, b: 2, s: 3 });
  assert.deepEqual(stored(storage).pending, { a: { v: 3, b: 2, s: 3 } });
  assert.equal(stored(storage).lock, 4);
  // Once everything is acknowledged the device keeps nothing.
  const again = l.batch();
  l.acknowledge(again.changes, again.sent, 5);
  assert.equal(l.hasPending(), false);
  assert.equal(storage.getItem(KEY), null);
});

test("an answer acknowledged twice does not drop a newer change", () => {
  const l = ledgerWith(memoryStorage(), { a: 1 });
  l.record("a", 2);
  const first = l.batch();
  l.acknowledge(first.changes, first.sent, 4);
  l.record("a", 5);
  l.acknowledge(first.changes, first.sent, 4); // a duplicate, late answer
  assert.deepEqual(l.pendingOf("a"), { v: 5, b: 2, s: 2 });
});

test("drop stops sending refused changes and keeps the rest", () => {
  const storage = memoryStorage();
  const l = ledgerWith(storage, {});
  l.record("a", "x".repeat(10));
  l.record("b", 2);
  l.drop(["a"]);
  assert.deepEqual(l.pendingFields(), ["b"]);
  assert.deepEqual(Object.keys(stored(storage).pending), ["b"]);
});

test("merge follows the server where nothing is pending and reports real conflicts only", () => {
  const storage = memoryStorage();
  const l = ledgerWith(storage, { a: 1, b: 1, c: 1, d: 1 });
  l.record("b", 2); // the server still has 1: no conflict, mine wins
  l.record("c", 3); // the server changed it to 4: a conflict
  l.record("d", 2); // the server already has 2 (a lost answer): done
  const merged = l.merge({ lock_version: 9, fields: { a: 7, b: 1, c: 4, d: 2 } }, ["a", "b", "c", "d"]);
  assert.equal(l.lock, 9);
  assert.deepEqual(merged.show, [["a", 7], ["b", 2], ["c", 3]]);
  assert.deepEqual(merged.conflicts, ["c"]);
  assert.deepEqual(l.pendingFields(), ["b", "c"]);
  assert.equal(l.serverValue("a"), 7);
  assert.equal(l.serverValue("c"), 4);
  assert.equal(stored(storage).lock, 9);
});

test("merge treats a field missing from the server's state as unset", () => {
  const l = ledgerWith(memoryStorage(), { a: 2 });
  l.record("a", null);
  const merged = l.merge({ lock_version: 2, fields: {} }, ["a"]);
  assert.deepEqual(merged, { show: [], conflicts: [] }); // unset == null: already there
  assert.equal(l.hasPending(), false);
});

test("resolving a conflict keeps mine against the server's value, or drops it", () => {
  const l = ledgerWith(memoryStorage(), { a: 1, b: 1 });
  l.record("a", 2);
  l.record("b", 3);
  l.merge({ lock_version: 5, fields: { a: 4, b: 4 } }, ["a", "b"]);
  assert.equal(l.resolve("a", true), false);
  assert.deepEqual(l.pendingOf("a"), { v: 2, b: 4, s: 1 });
  assert.equal(l.resolve("b", false), true); // show the server's value
  assert.equal(l.pendingOf("b"), undefined);
  // A second merge sees the kept change as based on the server's value: no conflict now.
  assert.deepEqual(l.merge({ lock_version: 5, fields: { a: 4, b: 4 } }, ["a", "b"]).conflicts, []);
});

test("pending changes and the submission key survive a reload of the page", () => {
  const storage = memoryStorage();
  const before = ledgerWith(storage, { a: 1 });
  before.record("a", 2);
  before.record("gone", "x");
  before.record("a", 3);
  const key = before.ensureSubmissionKey(() => "k1");
  assert.equal(before.ensureSubmissionKey(() => "k2"), key); // made once
  // The next page: a new ledger on the same storage, with today's fields only.
  const after = ledgerWith(storage, { a: 1 }, 8);
  assert.equal(after.restore(["a", "b"]), true);
  assert.deepEqual(after.pendingFields(), ["a"]);
  assert.deepEqual(after.pendingOf("a"), { v: 3, b: 1, s: 3 });
  assert.equal(after.submissionKey, "k1");
  assert.equal(after.lock, 8); // the page's version, not the stored one
  // Order numbers go on after the restored ones: a new change is newer.
  after.record("b", true);
  assert.equal(after.pendingOf("b").s, 4);
});

test("restore finds nothing in empty, foreign or corrupt storage", () => {
  assert.equal(ledgerWith(memoryStorage()).restore(["a"]), false);
  assert.equal(ledgerWith(memoryStorage({ [KEY]: "{not json" })).restore(["a"]), false);
  assert.equal(ledgerWith(memoryStorage({ [KEY]: '{"pending": 3}' })).restore(["a"]), false);
  assert.equal(ledgerWith(memoryStorage({ "scorecard-kit:v1:7:43": '{"pending": {}}' })).restore(["a"]), false);
});

test("each scorecard keeps its own ledger", () => {
  const storage = memoryStorage();
  const one = createLedger({ storage, key: "scorecard-kit:v1:7:1", lock: 1 });
  const two = createLedger({ storage, key: "scorecard-kit:v1:7:2", lock: 1 });
  one.record("a", 1);
  two.record("a", 2);
  assert.deepEqual([...storage.data.keys()].sort(), ["scorecard-kit:v1:7:1", "scorecard-kit:v1:7:2"]);
  one.forget();
  assert.deepEqual([...storage.data.keys()], ["scorecard-kit:v1:7:2"]);
});

test("forget clears memory and storage; keepKey keeps the submission key in memory", () => {
  const storage = memoryStorage();
  const l = ledgerWith(storage, {});
  l.record("a", 1);
  l.ensureSubmissionKey(() => "k");
  l.forget(true);
  assert.equal(l.hasPending(), false);
  assert.equal(l.submissionKey, "k");
  assert.equal(storage.getItem(KEY), null);
  l.forget();
  assert.equal(l.submissionKey, null);
});

test("a submission key alone is kept on the device", () => {
  const storage = memoryStorage();
  const l = ledgerWith(storage, {});
  l.ensureSubmissionKey(() => "k");
  assert.deepEqual(stored(storage), { lock: 3, pending: {}, key: "k", at: 1234 });
});

test("without working storage the ledger still works in memory", () => {
  for (const storage of [brokenStorage(), null]) {
    const l = ledgerWith(storage, { a: 1 });
    l.record("a", 2);
    assert.equal(l.restore(["a"]), false);
    const { changes, sent } = l.batch();
    assert.deepEqual(changes, { a: 2 });
    l.acknowledge(changes, sent, 4);
    assert.equal(l.hasPending(), false);
    l.forget();
  }
});
