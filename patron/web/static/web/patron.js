// Small behaviours for the back office. No inline scripts anywhere (the CSP forbids them):
// elements opt in with data- attributes.
document.addEventListener("click", (event) => {
  const target = event.target.closest("[data-confirm]");
  if (target && !window.confirm(target.dataset.confirm)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);
