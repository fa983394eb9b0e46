// Hindsight default theme: small enhancements for every page. The archive works without it.

// "/" focuses the search box, as on GitHub and MDN, unless the reader is typing somewhere.
document.addEventListener("keydown", (event) => {
  if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
  const box = document.querySelector("#SearchQuery") ?? document.querySelector("#SiteSearch");
  if (!box) return;
  event.preventDefault();
  box.focus();
  box.select();
});

// Overdue is relative to the reader's today, so it is marked here, not at build time
// (a build must not change with the date it runs on).
const today = new Date().toISOString().slice(0, 10);
for (const due of document.querySelectorAll("time[data-due]")) {
  if (due.getAttribute("datetime") < today) {
    due.classList.add("overdue");
    due.insertAdjacentText("beforeend", " · overdue");
  }
}
