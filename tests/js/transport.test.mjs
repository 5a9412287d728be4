// Talking to the kit's endpoints (scorecard/static/js/kit/transport.js): the request itself
// (fetch injected, CSRF token, time limit) and how an answer is read.
import assert from "node:assert/strict";
import { test } from "node:test";

import { createTransport, errorOf, isSignedOut, nextRetryDelay } from "../../scorecard/static/js/kit/transport.js";
import { answer, fakeFetch, fakeTimers } from "./fakes.mjs";

const SAVE = "/kit/42/save";
const STATE = "/kit/42/state";

// --- the request ------------------------------------------------------------------------

test("a request sends JSON with the CSRF token and reads the JSON answer", async () => {
  const net = fakeFetch([answer(200, { ok: 1 })]);
  const t = createTransport({ fetch: net.fetch, csrf: "abc", timers: fakeTimers() });
  const res = await t.request("POST", SAVE, { changes: { a: 1 } });
  assert.deepEqual(res, { status: 200, data: { ok: 1 } });
  const call = net.calls[0];
  assert.equal(call.url, SAVE);
  assert.equal(call.method, "POST");
  assert.deepEqual(call.headers, {
    Accept: "application/json",
    "X-CSRFToken": "abc",
    "Content-Type": "application/json"
  });
  assert.deepEqual(call.body, { changes: { a: 1 } });
});

test("a GET has no body; a renewed token goes with the next request", async () => {
  const net = fakeFetch([], answer(200, {}));
  const t = createTransport({ fetch: net.fetch, csrf: "old", timers: fakeTimers() });
  await t.request("GET", STATE);
  t.renewCsrf("");
  await t.request("GET", STATE);
  t.renewCsrf("new");
  await t.request("GET", STATE);
  assert.equal(net.calls[0].body, undefined);
  assert.equal("Content-Type" in net.calls[0].headers, false);
  assert.deepEqual(net.calls.map((c) => c.headers["X-CSRFToken"]), ["old", "old", "new"]);
});

test("a network failure or a thrown fetch is status 0; an answer that is not JSON has no data", async () => {
  const t = (r) => createTransport({ fetch: fakeFetch([r]).fetch, timers: fakeTimers() });
  assert.deepEqual(await t(new TypeError("Failed to fetch")).request("GET", STATE), { status: 0, data: null });
  const throws = createTransport({ fetch: () => { throw new Error("boom"); }, timers: fakeTimers() });
  assert.deepEqual(await throws.request("GET", STATE), { status: 0, data: null });
  assert.deepEqual(await t(answer(502)).request("GET", STATE), { status: 502, data: null });
});

test("a request that takes too long is aborted and reads as status 0", async () => {
  const timers = fakeTimers();
  let signal;
  const hanging = (url, init) => {
    signal = init.signal;
    return new Promise((resolve, reject) => init.signal.addEventListener("abort", () => reject(new Error("aborted"))));
  };
  const t = createTransport({ fetch: hanging, timers, timeoutMs: 15000 });
  const res = t.request("POST", SAVE, {});
  await timers.advance(14999);
  assert.equal(signal.aborted, false);
  await timers.advance(1);
  assert.equal(signal.aborted, true);
  assert.deepEqual(await res, { status: 0, data: null });
  assert.deepEqual(timers.pending(), []); // its timer is gone
});

test("answers are read for their error and for a session that has ended", () => {
  assert.deepEqual(errorOf({ status: 500, data: null }), {});
  assert.deepEqual(errorOf({ status: 409, data: { error: { code: "conflict" } } }), { code: "conflict" });
  assert.equal(isSignedOut({ status: 401, data: null }), true);
  assert.equal(isSignedOut({ status: 400, data: { error: { code: "csrf" } } }), true);
  assert.equal(isSignedOut({ status: 400, data: null }), true); // not the kit's JSON error
  assert.equal(isSignedOut({ status: 400, data: { error: { code: "invalid" } } }), false);
  assert.equal(isSignedOut({ status: 422, data: { error: { code: "csrf" } } }), false);
  assert.equal(isSignedOut({ status: 0, data: null }), false);
});

test("retries wait 2 s, doubling, never more than 30 s", () => {
  const waits = [];
  let d = 0;
  for (let i = 0; i < 7; i++) waits.push((d = nextRetryDelay(d)));
  assert.deepEqual(waits, [2000, 4000, 8000, 16000, 30000, 30000, 30000]);
});
