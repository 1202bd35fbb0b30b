// Small behaviours for the back office. No inline scripts anywhere (the CSP forbids them):
// elements opt in with data- attributes or class names.

// Buttons and links with data-confirm ask first (deactivate, delete, remove).
document.addEventListener("click", (event) => {
  const target = event.target.closest("[data-confirm]");
  if (target && !window.confirm(target.dataset.confirm)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);

// Quick edit in the customer list: the cell's form saves on change (htmx); leaving it
// unchanged, or pressing Escape, puts the cell back as it was.
(function quickEdit() {
  const changed = (form) => Array.from(form.querySelectorAll("input:not([type=hidden])"))
    .some((input) => input.value !== input.defaultValue);

  const restore = (form) => {
    if (form.isConnected && form.dataset.cancelUrl && window.htmx) {
      window.htmx.ajax("GET", form.dataset.cancelUrl, { target: form, swap: "outerHTML" });
    }
  };

  document.addEventListener("htmx:load", (event) => {
    const form = event.detail.elt.closest ? event.detail.elt.closest(".quick-form") : null;
    const input = form && form.querySelector("input:not([type=hidden])");
    if (input) {
      input.focus();
      input.select();
    }
  });

  document.addEventListener("focusout", (event) => {
    const form = event.target.closest(".quick-form");
    if (!form || form.contains(event.relatedTarget)) return;
    if (!changed(form)) restore(form);
  });

  document.addEventListener("keydown", (event) => {
    const form = event.target.closest && event.target.closest(".quick-form");
    if (form && event.key === "Escape") {
      event.preventDefault();
      restore(form);
    }
  });
})();

// --- Money pages ---------------------------------------------------------------------------

// The till's payment form: "Rest" puts what is still to pay into that tender's field, so a split
// payment is "type one part, press Rest on the other". The server checks the sum.
(function tillPayment() {
  // Amounts as the user types them (1234.50, 1,234.50, 1.234,50, 1234,50): the last "." or ","
  // followed by one or two digits is the decimal sign, other marks and spaces group thousands.
  const cents = (text) => {
    const match = /^\s*([\d.,\s\u00a0\u202f]*?)(?:[.,](\d{1,2}))?\s*$/.exec(text || "");
    if (!match) return 0;
    const whole = match[1].replace(/[^\d]/g, "");
    return Number(whole || "0") * 100 + Number((match[2] || "").padEnd(2, "0"));
  };

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-fill-rest]");
    if (!button) return;
    const form = button.closest("form");
    const target = document.getElementById(button.dataset.fillRest);
    let rest = cents(form.dataset.total);
    form.querySelectorAll("[data-fill-rest]").forEach((other) => {
      const input = document.getElementById(other.dataset.fillRest);
      if (input !== target) rest -= cents(input.value);
    });
    const text = rest > 0 ? (rest / 100).toFixed(2) : "";
    target.value = form.dataset.decimalSign ? text.replace(".", form.dataset.decimalSign) : text;
    target.focus();
  });
})();

// Forms marked data-once are sent once: a second click while the first is on its way does
// nothing (the server also refuses to record a sale twice). Coming back to the page re-arms them.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-once]");
  if (!form) return;
  if (form.dataset.sent) {
    event.preventDefault();
    return;
  }
  form.dataset.sent = "1";
});
window.addEventListener("pageshow", () => {
  document.querySelectorAll("form[data-once]").forEach((form) => delete form.dataset.sent);
});

// A "Print" button (the statement).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});

// --- Focus and keyboard ----------------------------------------------------------------------

// A page opens where the user goes next: on the first field a refused form marks as wrong
// (scrolled into view, so its error is not below the fold), or else on the input marked
// data-autofocus (the till's search, or its next line).
(function initialFocus() {
  const wrong = document.querySelector(".field-error input:not([type=hidden]), .field-error select, "
    + ".field-error textarea, [aria-invalid=true]");
  const summary = document.querySelector("[data-error-summary]");
  if (!wrong && summary) {  // an error of the whole form (an empty cart): show it, leave the cursor
    summary.scrollIntoView({ block: "center" });
  }
  const target = wrong || document.querySelector("[data-autofocus]");
  if (!target) return;
  target.focus({ preventScroll: true });
  if (wrong || !summary) target.scrollIntoView({ block: "center" });
})();

// F2, or "/" when not typing, goes back to the page's search box (the till's "Select customer").
document.addEventListener("keydown", (event) => {
  const typing = event.target.closest && event.target.closest("input, textarea, select, [contenteditable]");
  if (event.key !== "F2" && !(event.key === "/" && !typing)) return;
  const search = document.querySelector("[data-shortcut-search]");
  if (!search) return;
  event.preventDefault();
  search.focus();
  search.select();
});

// The till's customer search by keyboard: ↓ and ↑ move between the search box and the results'
// "Select" buttons (Enter on one selects it), Esc clears. Enter in the search box selects the only
// match, or moves to the first of several; typed before the results arrive, it waits for them
// instead of sending a second request (the search runs as the cashier types).
(function tillSearch() {
  const input = () => document.querySelector("[data-till-search]");
  const results = () => document.getElementById("till-results");
  const picks = () => Array.from(document.querySelectorAll("#till-results .till-pick"));
  const current = () => {
    const found = document.querySelector("#till-results .till-found");
    const form = input() && input().form;
    return found && found.dataset.query === input().value.trim() && !(form && form.classList.contains("htmx-request"));
  };
  let enterWaiting = false;

  const choose = () => {
    const buttons = picks();
    if (buttons.length === 1) buttons[0].click();
    else if (buttons.length > 1) buttons[0].focus();
  };

  document.addEventListener("keydown", (event) => {
    const box = input();
    if (!box) return;
    const buttons = picks();
    const index = buttons.indexOf(event.target);
    if (event.target !== box && index < 0) return;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      const next = buttons[index + 1];
      if (next) next.focus();
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      (index > 0 ? buttons[index - 1] : box).focus();
    } else if (event.key === "Escape") {
      event.preventDefault();
      enterWaiting = false;
      box.value = "";
      results().replaceChildren();
      box.focus();
    } else if (event.key === "Enter" && event.target === box) {
      event.preventDefault();
      if (!box.value.trim()) return;
      if (current()) {
        choose();
      } else {
        enterWaiting = true;
        if (!box.form.classList.contains("htmx-request") && window.htmx) window.htmx.trigger(box.form, "submit");
      }
    }
  });

  document.addEventListener("htmx:afterSettle", (event) => {
    if (!enterWaiting || event.detail.target !== results() || !current()) return;
    enterWaiting = false;
    choose();
  });
})();

// A customer page opened on a section (?open=contact-details, after creating or saving): that
// section is marked, while the page stays at the top with the header and the message in view.
(function openedSection() {
  const name = new URLSearchParams(window.location.search).get("open");
  const section = name && document.getElementById(name);
  if (section && section.closest(".section-list")) section.classList.add("opened");
})();

// The customer page's tabs: one tab's sections at a time. The tab is the one holding the section
// the address names (#account after recording a payment, ?open=notes after creating), else the
// first. A section no tab lists shows under the first tab; a tab with no section on the page hides.
(function customerTabs() {
  const nav = document.querySelector("[data-section-tabs]");
  if (!nav) return;
  const tabs = Array.from(nav.querySelectorAll("[data-tab]"));
  const sections = Array.from(document.querySelectorAll(".section-list > section[id]"));
  const listed = new Set(tabs.flatMap((tab) => tab.dataset.sections.split(" ")));
  const holds = (tab, id) => tab.dataset.sections.split(" ").includes(id) || (tab === tabs[0] && !listed.has(id));
  tabs.forEach((tab) => { tab.hidden = !sections.some((section) => holds(tab, section.id)); });

  const show = (tab) => {
    tabs.forEach((other) => {
      if (other === tab) other.setAttribute("aria-current", "page");
      else other.removeAttribute("aria-current");
    });
    sections.forEach((section) => { section.hidden = !holds(tab, section.id); });
  };
  const tabFor = (id) => tabs.find((tab) => !tab.hidden && holds(tab, id));
  const named = () => window.location.hash.slice(1) || new URLSearchParams(window.location.search).get("open");

  nav.addEventListener("click", (event) => {
    const tab = event.target.closest("[data-tab]");
    if (!tab) return;
    event.preventDefault();
    show(tab);
    history.replaceState(null, "", tab.getAttribute("href"));  // a reload opens the same tab
  });
  window.addEventListener("hashchange", () => {
    const tab = tabFor(named());
    if (tab) show(tab);
  });
  // a refused form's section wins: its errors and the cursor are there
  const refused = document.querySelector(".section-list [data-error-summary], .section-list .field-error");
  const refusedIn = refused && refused.closest(".section-list > section[id]");
  show((refusedIn && tabFor(refusedIn.id)) || tabFor(named()) || tabs.find((tab) => !tab.hidden) || tabs[0]);
  if (refused) {
    const wrong = document.activeElement;
    if (wrong && wrong !== document.body) wrong.scrollIntoView({ block: "center" });  // now shown
  }
})();

// Bulk actions on the customer list: "select all on this page", the count of ticked rows, and
// only the inputs the chosen action needs. The list's results are swapped in by htmx, so the
// handlers listen on the document.
(function bulkSelect() {
  const rows = () => Array.from(document.querySelectorAll("[data-bulk-row]"));

  const refresh = () => {
    const count = document.querySelector("[data-bulk-count]");
    if (!count) return;
    const ticked = rows().filter((box) => box.checked).length;
    count.value = String(ticked);
    count.textContent = String(ticked);
    const all = document.querySelector("[data-bulk-all]");
    if (all) {
      all.checked = ticked > 0 && ticked === rows().length;
      all.indeterminate = ticked > 0 && ticked < rows().length;
    }
  };

  const showInputs = () => {
    const form = document.querySelector("[data-bulk]");
    if (!form) return;
    const action = form.querySelector("select[name=action]").value;
    form.querySelectorAll("[data-bulk-for]").forEach((label) => {
      label.hidden = !label.dataset.bulkFor.split(" ").includes(action);
    });
  };

  document.addEventListener("change", (event) => {
    if (event.target.matches("[data-bulk-all]")) {
      rows().forEach((box) => { box.checked = event.target.checked; });
    }
    if (event.target.matches("[data-bulk-all], [data-bulk-row]")) refresh();
    if (event.target.matches("[data-bulk] select[name=action]")) showInputs();
  });

  const ready = () => { refresh(); showInputs(); };
  document.addEventListener("DOMContentLoaded", ready);
  document.addEventListener("htmx:afterSettle", ready);
}());

// A menu whose items wait in a <template> (the list's "Columns"): put in the page when it opens.
document.addEventListener("toggle", (event) => {
  const menu = event.target;
  if (!(menu instanceof HTMLDetailsElement) || !menu.open || !menu.matches("[data-lazy-menu]")) return;
  const template = menu.querySelector(":scope > template");
  if (template) {
    menu.appendChild(template.content.cloneNode(true));
    template.remove();
  }
}, true);
