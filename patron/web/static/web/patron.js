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
