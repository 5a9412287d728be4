/* The kit's messages on the page: the status line, problems shown by their fields and in
 * the summary box, and the conflict choice (keep mine / use the server's). */

export function createStatus(statusEl, M, loginUrl) {
  function clock() {
    return new Date().toTimeString().slice(0, 8);
  }

  return function setStatus(state, extra) {
    statusEl.dataset.state = state;
    const text = {
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
      const link = document.createElement("a");
      link.href = loginUrl;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = M.signin;
      statusEl.appendChild(document.createTextNode(" "));
      statusEl.appendChild(link);
    }
  };
}

export function createProblems(form, fields, M) {
  const problemsBox = document.getElementById("kit-problems");

  function problemEl(field, create) {
    let el = form.querySelector('[data-problem-for="' + CSS.escape(field) + '"]');
    if (el || !create || !fields.has(field)) return el;
    // Made on first use, right under its field (rating cards, or the text box's label).
    const input = fields.first(field);
    const after = input.type === "radio" ? input.closest(".anchors") : input.closest("label") || input;
    el = document.createElement("p");
    el.className = "problem";
    el.dataset.problemFor = field;
    el.hidden = true;
    after.insertAdjacentElement("afterend", el);
    return el;
  }

  function show(field, message) {
    const el = problemEl(field, true);
    if (!el) return false;
    el.textContent = message;
    el.hidden = false;
    const item = el.closest(".kit-item, .card");
    if (item) item.classList.add("has-problem");
    return true;
  }

  function clear(field) {
    const el = problemEl(field);
    if (el && !el.hidden) {
      el.hidden = true;
      el.textContent = "";
      const item = el.closest(".kit-item, .card");
      if (item && !item.querySelector(".problem:not([hidden])")) item.classList.remove("has-problem");
    }
  }

  function clearAll() {
    form.querySelectorAll(".problem").forEach(function (el) { el.hidden = true; el.textContent = ""; });
    form.querySelectorAll(".has-problem").forEach(function (el) { el.classList.remove("has-problem"); });
    problemsBox.hidden = true;
  }

  /** The summary box: each problem, linked to its field when it has one. */
  function showAll(problems, title) {
    const list = problemsBox.querySelector("ul");
    list.textContent = "";
    document.getElementById("kit-problems-title").textContent = title || M.problems;
    problems.forEach(function (p) {
      const li = document.createElement("li");
      if (p.field && show(p.field, p.message)) {
        const a = document.createElement("a");
        const target = problemEl(p.field).closest("[id]");
        a.href = "#" + (target ? target.id : "");
        a.textContent = (fields.has(p.field) ? fields.labelOf(p.field) + ": " : "") + p.message;
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

  return { show: show, clear: clear, clearAll: clearAll, showAll: showAll };
}

/**
 * The conflict choice. `show(fields)` lists each field with both versions; each choice goes
 * to the ledger, and `done()` runs once the last one is decided.
 */
export function createConflicts(ledger, fields, M, done) {
  const conflictBox = document.getElementById("kit-conflict");
  const conflictList = document.getElementById("kit-conflict-list");

  function show(names) {
    conflictList.textContent = "";
    names.forEach(function (f) {
      const li = document.createElement("li");
      li.className = "kit-conflict-item";
      li.dataset.field = f;
      const title = document.createElement("strong");
      title.textContent = fields.labelOf(f);
      const mine = document.createElement("p");
      mine.className = "kit-conflict-mine";
      mine.textContent = M.yours + ": " + fields.shown(f, ledger.pendingOf(f).v);
      const theirs = document.createElement("p");
      theirs.className = "kit-conflict-server";
      theirs.textContent = M.server + ": " + fields.shown(f, ledger.serverValue(f));
      const keep = document.createElement("button");
      keep.type = "button";
      keep.className = "btn";
      keep.textContent = M.keepMine;
      keep.addEventListener("click", function () { resolve(f, true); });
      const take = document.createElement("button");
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
    if (ledger.resolve(field, keepMine)) fields.write(field, ledger.serverValue(field));
    const li = conflictList.querySelector('[data-field="' + CSS.escape(field) + '"]');
    if (li) li.remove();
    if (!conflictList.children.length) {
      conflictBox.hidden = true;
      done();
    }
  }

  document.getElementById("kit-conflict-all-mine").addEventListener("click", function () {
    Array.from(conflictList.children).forEach(function (li) { resolve(li.dataset.field, true); });
  });
  document.getElementById("kit-conflict-all-server").addEventListener("click", function () {
    Array.from(conflictList.children).forEach(function (li) { resolve(li.dataset.field, false); });
  });

  return { show: show };
}
