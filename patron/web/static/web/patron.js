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
  const cents = (text) => {
    const match = /^\s*(\d+)(?:\.(\d{1,2}))?\s*$/.exec(text || "");
    return match ? Number(match[1]) * 100 + Number((match[2] || "").padEnd(2, "0")) : 0;
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
    target.value = rest > 0 ? (rest / 100).toFixed(2) : "";
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
