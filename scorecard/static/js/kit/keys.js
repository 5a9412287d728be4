/* Scoring the kit with the keyboard: j / k move between criteria, 1–4 rate, 0 "not
 * assessed", n opens the note, Esc leaves a note, ? opens the help dialog. Keys never act
 * while typing in a text box, nor rate while a conflict waits for a choice. */

function typing(el) {
  if (!el || !el.tagName) return false;
  if (el.isContentEditable || el.tagName === "TEXTAREA" || el.tagName === "SELECT") return true;
  return el.tagName === "INPUT" && ["radio", "checkbox", "button", "submit"].indexOf(el.type) < 0;
}

/** `conflictOpen()` tells whether the conflict choice is showing. */
export function initKeys(form, conflictOpen) {
  const items = Array.from(document.querySelectorAll("[data-kit-item]"));
  let current = -1;

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
      const inside = document.activeElement && document.activeElement.closest("[data-kit-item]");
      focusItem(inside ? items.indexOf(inside) : 0);
    }
    return items[current];
  }

  function rate(value) {
    const item = currentItem();
    if (!item) return;
    const radio = item.querySelector('input[type="radio"][value="' + value + '"]');
    if (!radio || radio.matches(":disabled")) return;
    radio.checked = true;
    radio.dispatchEvent(new Event("change", { bubbles: true }));
  }

  const help = document.getElementById("kit-help");
  function toggleHelp() {
    if (help.open) help.close();
    else help.showModal();
  }
  document.getElementById("kit-help-open").addEventListener("click", toggleHelp);
  document.getElementById("kit-help-close").addEventListener("click", function () { help.close(); });

  form.addEventListener("focusin", function (ev) {
    const item = ev.target.closest("[data-kit-item]");
    if (item) setCurrent(items.indexOf(item));
  });

  document.addEventListener("keydown", function (ev) {
    if (ev.defaultPrevented || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const t = ev.target;
    if (typing(t)) {
      if (ev.key === "Escape" && t.tagName === "TEXTAREA") {
        const item = t.closest("[data-kit-item]");
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
    if (conflictOpen() && /^[0-4jkn]$/.test(ev.key)) return;
    switch (ev.key) {
      case "j": focusItem(current + 1); break;
      case "k": focusItem(current <= 0 ? 0 : current - 1); break;
      case "1": case "2": case "3": case "4": rate(ev.key); break;
      case "0": rate("na"); break;
      case "n": {
        const it = currentItem();
        const note = it && it.querySelector("textarea");
        if (note && !note.matches(":disabled")) note.focus();
        else return;
        break;
      }
      case "?": toggleHelp(); break;
      default: return;
    }
    ev.preventDefault();
  });
}
