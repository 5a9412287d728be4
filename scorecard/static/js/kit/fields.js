/* The kit's inputs on the page: every input carries data-field (see
 * scorecard/services/scorecards/fields.py for the names); reading and writing a field's value
 * (radios: a number, null for "not assessed"; checkboxes: true/false; text: the string),
 * and how a value and a field's name are shown to the user. */

export function createFields(form, M) {
  const inputs = {};
  form.querySelectorAll("[data-field]").forEach(function (el) {
    (inputs[el.dataset.field] = inputs[el.dataset.field] || []).push(el);
  });

  function read(field) {
    const els = inputs[field];
    if (!els) return undefined;
    const el = els[0];
    if (el.type === "radio") {
      const on = els.filter(function (e) { return e.checked; })[0];
      if (!on) return undefined;
      return on.value === "na" ? null : parseInt(on.value, 10);
    }
    if (el.type === "checkbox") return el.checked;
    return el.value;
  }

  function write(field, value) {
    const els = inputs[field];
    if (!els) return;
    const el = els[0];
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

  /** A value as the conflict choice shows it: the rating's anchor, ticked, the text. */
  function shown(field, value) {
    const el = inputs[field][0];
    if (el.type === "radio") {
      if (value === undefined) return M.unrated;
      if (value === null) return M.notAssessed;
      const match = inputs[field].filter(function (e) { return e.value === String(value); })[0];
      const head = match && match.parentNode.querySelector(".anchor-head");
      return head ? head.textContent.replace(/\s+/g, " ").trim() : String(value);
    }
    if (el.type === "checkbox") return value ? M.ticked : M.unticked;
    if (!value) return M.empty;
    return value.length > 300 ? value.slice(0, 300) + "…" : value;
  }

  function labelOf(field) {
    const el = inputs[field][0];
    if (el.dataset.label) return el.dataset.label;
    const crit = el.closest(".kit-criterion");
    if (crit) {
      // A criterion's fields are named after its heading: "Name · rating" / "Name · note".
      const name = crit.querySelector("h3").textContent.trim();
      return name + " · " + (el.type === "radio" ? M.ratingWord : M.noteWord);
    }
    const holder = el.closest("[data-label]");
    return holder ? holder.dataset.label : field;
  }

  return {
    names: Object.keys(inputs),
    has: function (field) { return !!inputs[field]; },
    first: function (field) { return inputs[field][0]; },
    read: read,
    write: write,
    shown: shown,
    labelOf: labelOf
  };
}
