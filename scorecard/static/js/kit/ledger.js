/* The kit's offline ledger: what the server is known to have (`server`), the changes it has
 * not acknowledged yet (`pending`, each with the server value it was made against, its base
 * `b`, and an order number `s`), the version they were made against and the submission key.
 * Pending changes are kept in a Storage (localStorage on the page) under one key, so a reload
 * or a dropped network loses nothing. No DOM here: the page reads and writes its fields. */

/** Field values compare with "not set" (undefined) equal to "no value" (null). */
export function same(a, b) {
  return (a === undefined ? null : a) === (b === undefined ? null : b);
}

/**
 * @param {{storage: Storage|null, key: string, lock: number, now?: () => number}} opts
 *   storage may be null or throw (disabled, full): the ledger then lives in memory only.
 */
export function createLedger(opts) {
  const storage = opts.storage;
  const key = opts.key;
  const now = opts.now || Date.now;
  let server = {};
  let pending = {};
  let seq = 0;
  let lock = opts.lock;
  let submissionKey = null;

  function persist() {
    try {
      if (!Object.keys(pending).length && !submissionKey) {
        storage.removeItem(key);
      } else {
        storage.setItem(
          key,
          JSON.stringify({ lock: lock, pending: pending, key: submissionKey, at: now() })
        );
      }
    } catch (e) {
      /* storage full or disabled: the in-memory ledger still retries */
    }
  }

  function removeStored() {
    try { storage.removeItem(key); } catch (e) { /* ignore */ }
  }

  return {
    get lock() { return lock; },
    set lock(v) { lock = v; },
    get submissionKey() { return submissionKey; },
    /** The server's known value of a field. */
    serverValue(field) { return server[field]; },
    setServer(field, value) { server[field] = value; },
    /** The unacknowledged change of a field: {v: value, b: base, s: order}, or undefined. */
    pendingOf(field) { return pending[field]; },
    pendingFields() { return Object.keys(pending); },
    hasPending() { return Object.keys(pending).length > 0; },

    /** A change made on this device; its base stays the one of an earlier unsent change. */
    record(field, value) {
      const e = pending[field];
      pending[field] = { v: value, b: e ? e.b : server[field], s: ++seq };
      persist();
    },

    /** What to send now: the pending values and the order number each was sent at. */
    batch() {
      const changes = {};
      const sent = {};
      Object.keys(pending).forEach(function (k) { changes[k] = pending[k].v; sent[k] = pending[k].s; });
      return { changes: changes, sent: sent };
    },

    /** The server took `changes` at version `lockVersion`; a change made since stays pending
     * against the value just saved. */
    acknowledge(changes, sent, lockVersion) {
      lock = lockVersion;
      Object.keys(changes).forEach(function (k) {
        server[k] = changes[k];
        const e = pending[k];
        if (e && e.s === sent[k]) delete pending[k];
        else if (e) e.b = changes[k];
      });
      persist();
    },

    /** Stop sending these changes (the server refused them). */
    drop(fields) {
      fields.forEach(function (k) { delete pending[k]; });
      persist();
    },

    /**
     * Merge the server's state ({lock_version, fields}) into the ledger for `fieldNames`.
     * Returns `show`, the value each field should now display if it does not already (the
     * server's where nothing is pending, this device's change where one is), and `conflicts`,
     * the fields the server changed under a pending change (the user chooses).
     */
    merge(state, fieldNames) {
      lock = state.lock_version;
      const sv = state.fields || {};
      const show = [];
      const conflicts = [];
      fieldNames.forEach(function (f) {
        const s = sv[f];
        const e = pending[f];
        server[f] = s;
        if (!e) {
          show.push([f, s]); // follow the other tab's change
          return;
        }
        if (same(s, e.v)) { delete pending[f]; return; } // already there (a lost answer)
        show.push([f, e.v]);
        if (same(s, e.b)) return; // nobody else touched it: this device's change still wins
        conflicts.push(f);
      });
      persist();
      return { show: show, conflicts: conflicts };
    },

    /** The user's choice for a conflict: keep this device's change (now based on the
     * server's value) or drop it. Returns true when the field should show the server's. */
    resolve(field, keepMine) {
      let useServer = false;
      if (pending[field]) {
        if (keepMine) pending[field].b = server[field];
        else { delete pending[field]; useServer = true; }
      }
      persist();
      return useServer;
    },

    /** The key that makes a submission happen once, however often it is sent. */
    ensureSubmissionKey(make) {
      if (!submissionKey) { submissionKey = make(); persist(); }
      return submissionKey;
    },

    /**
     * Take back what a previous page left in storage: its pending changes for fields in
     * `known` and its submission key. Returns false when there was nothing to take.
     */
    restore(known) {
      let stored = null;
      try {
        const raw = storage.getItem(key);
        stored = raw ? JSON.parse(raw) : null;
      } catch (e) {
        stored = null;
      }
      if (!(stored && stored.pending && typeof stored.pending === "object")) return false;
      pending = stored.pending;
      submissionKey = stored.key || null;
      Object.keys(pending).forEach(function (f) {
        if (known.indexOf(f) < 0) delete pending[f];
        else seq = Math.max(seq, pending[f].s || 0);
      });
      return true;
    },

    /** Drop the pending changes from memory and storage; the submission key too unless
     * `keepKey` (a submission answered, the page about to be replaced). */
    forget(keepKey) {
      pending = {};
      if (!keepKey) submissionKey = null;
      removeStored();
    }
  };
}
