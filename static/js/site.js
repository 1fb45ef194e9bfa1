/* Progressive enhancement for the browse pages; everything here also works without it. */
document.documentElement.classList.add("js");

/* A ticked box or a changed select applies at once; typed fields wait for Enter or Apply. */
document.addEventListener("change", (event) => {
  const control = event.target;
  if (control.form && control.form.hasAttribute("data-live") && control.matches("input[type=checkbox], select")) {
    control.form.requestSubmit();
  }
});

/* Keep empty fields out of the URL that htmx requests and pushes to the address bar. */
document.addEventListener("htmx:configRequest", (event) => {
  const params = event.detail.parameters;
  for (const [name, value] of Array.from(params.entries())) {
    if (value === "") params.delete(name);
  }
});

/* Folding: on a phone the filter panel starts folded, and every folding panel stays as
   the visitor left it when htmx brings new filters (with new counts) from the server. */
const narrow = window.matchMedia("(max-width: 60rem)");
const leftOpen = new Map();
function refold() {
  for (const panel of document.querySelectorAll("#filters details[id]")) {
    if (leftOpen.has(panel.id)) panel.open = leftOpen.get(panel.id);
    else if (panel.hasAttribute("data-fold-narrow")) panel.open = !narrow.matches;
  }
}
document.addEventListener("toggle", (event) => {
  if (event.target.matches("#filters details[id]")) leftOpen.set(event.target.id, event.target.open);
}, true);
narrow.addEventListener("change", () => { leftOpen.delete("filters-panel"); refold(); });
document.addEventListener("DOMContentLoaded", refold);
document.addEventListener("htmx:afterSettle", refold);
