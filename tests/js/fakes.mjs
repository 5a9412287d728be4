// Test doubles for the kit's modules: a Storage in memory, a clock with timers that only
// move when told, and a fetch that answers from a script and records every request.

export function memoryStorage(initial) {
  const data = new Map(Object.entries(initial || {}));
  return {
    data: data,
    getItem: (k) => (data.has(k) ? data.get(k) : null),
    setItem: (k, v) => { data.set(k, String(v)); },
    removeItem: (k) => { data.delete(k); }
  };
}

/** A Storage that refuses everything, as a disabled or full localStorage does. */
export function brokenStorage() {
  const fail = () => { throw new Error("QuotaExceededError"); };
  return { getItem: fail, setItem: fail, removeItem: fail };
}

/** Let pending promise callbacks run (fetch answers, .then chains). */
export async function settle() {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
}

export function fakeTimers(start = 1_000_000) {
  let now = start;
  let next = 1;
  const due = new Map(); // id -> {at, fn}
  const timers = {
    now: () => now,
    setTimeout: (fn, ms) => { const id = next++; due.set(id, { at: now + (ms || 0), fn }); return id; },
    clearTimeout: (id) => { due.delete(id); },
    pending: () => [...due.values()].map((t) => t.at - now).sort((a, b) => a - b),
    /** Move the clock on by `ms`, running each timer that falls due, in order. */
    async advance(ms) {
      const until = now + ms;
      await settle();
      for (;;) {
        const first = [...due.entries()].sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
        if (!first || first[1].at > until) break;
        due.delete(first[0]);
        now = first[1].at;
        first[1].fn();
        await settle();
      }
      now = until;
    }
  };
  return timers;
}

export function answer(status, data) {
  return { status, json: () => (data === undefined ? Promise.reject(new Error("no JSON")) : Promise.resolve(data)) };
}

/**
 * A fetch that records each call ({url, method, headers, body}) and answers with the next
 * responder in `script` (a function of the call, an answer, or an Error to reject with).
 * With the script used up it answers with `fallback`.
 */
export function fakeFetch(script, fallback) {
  const calls = [];
  const queue = [...(script || [])];
  const fetch = (url, init) => {
    const call = {
      url,
      method: init.method,
      headers: init.headers,
      body: init.body === undefined ? undefined : JSON.parse(init.body),
      signal: init.signal
    };
    calls.push(call);
    let r = queue.length ? queue.shift() : fallback;
    if (typeof r === "function") r = r(call);
    if (r instanceof Error) return Promise.reject(r);
    if (r && typeof r.then === "function") return r;
    return Promise.resolve(r);
  };
  return { fetch, calls };
}
