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

/* On a phone the filters start folded under their heading, and stay as the visitor left them. */
const narrow = window.matchMedia("(max-width: 60rem)");
let filtersOpen = false;
function foldFilters() {
  for (const panel of document.querySelectorAll("details[data-collapse-narrow]")) {
    panel.open = !narrow.matches || filtersOpen;
  }
}
document.addEventListener("toggle", (event) => {
  if (narrow.matches && event.target.matches("details[data-collapse-narrow]")) filtersOpen = event.target.open;
}, true);
narrow.addEventListener("change", foldFilters);
document.addEventListener("DOMContentLoaded", foldFilters);
document.addEventListener("htmx:afterSettle", foldFilters);
