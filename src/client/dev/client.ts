// The `hindsight dev` client, added to every page the dev server serves: it reloads the page
// when a rebuild changed it (or a stylesheet or script), and shows the build's errors in an
// overlay until they are fixed. Served as a file; the archive itself never ships it.
import { BUILD_PARAM, EVENTS_PATH, EVERYTHING_CHANGED, SEARCH_DIR, STATE_EVENT, type DevState, type OverlayMessage } from "./protocol.js";

const OVERLAY_ID = "HindsightDevOverlay";
// The server names the build this page came from in the script's URL (`client.js?build=3`).
let seenBuild = Number(new URL(import.meta.url).searchParams.get(BUILD_PARAM) ?? "0");

/** The output path of this page: `/postmortems/x/` → `postmortems/x/index.html`. */
function currentPath(): string {
  const path = decodeURIComponent(location.pathname).replace(/^\/+/, "");
  return path === "" || path.endsWith("/") ? `${path}index.html` : path;
}

function affectsThisPage(changed: readonly string[]): boolean {
  const here = currentPath();
  // Any stylesheet, script or image may be used by this page; other pages may not, nor may the
  // search index, except on the search page.
  return changed.some(
    (file) =>
      file === EVERYTHING_CHANGED ||
      file === here ||
      file === "404.html" ||
      (!file.endsWith(".html") && (!file.startsWith(SEARCH_DIR) || here.startsWith(SEARCH_DIR))),
  );
}

function showOverlay(state: DevState): void {
  hideOverlay();
  const overlay = document.createElement("section");
  overlay.id = OVERLAY_ID;
  overlay.setAttribute("role", "alert");
  overlay.setAttribute("aria-label", "Build errors");
  Object.assign(overlay.style, {
    position: "fixed",
    inset: "0",
    zIndex: "2147483647",
    overflow: "auto",
    padding: "2rem",
    background: "rgba(20, 20, 24, 0.97)",
    color: "#f5f5f5",
    font: "14px/1.5 ui-monospace, SFMono-Regular, Menlo, monospace",
  });
  const heading = document.createElement("h2");
  heading.textContent = state.fatal
    ? "Hindsight cannot build this project"
    : `Build failed: ${state.errors.length === 1 ? "1 error" : `${state.errors.length} errors`}`;
  Object.assign(heading.style, { color: "#ff8a80", font: "bold 18px/1.4 system-ui, sans-serif", margin: "0 0 1rem" });
  overlay.append(heading);
  const note = document.createElement("p");
  note.textContent = "The page below is the last good build. Fix the file and save: this closes by itself.";
  note.style.margin = "0 0 1.5rem";
  overlay.append(note);
  const list = document.createElement("ol");
  Object.assign(list.style, { listStyle: "none", padding: "0", margin: "0" });
  const items: readonly OverlayMessage[] = state.fatal ? [{ file: "", line: 0, column: 0, severity: "error", message: state.fatal }] : state.errors;
  for (const error of items) {
    const item = document.createElement("li");
    Object.assign(item.style, { borderLeft: "3px solid #ff8a80", padding: "0.25rem 0 0.25rem 1rem", margin: "0 0 1rem" });
    if (error.file) {
      const where = document.createElement("div");
      where.className = "hindsight-dev-where";
      where.textContent = `${error.file}:${error.line}:${error.column}`;
      where.style.color = "#9ecbff";
      item.append(where);
    }
    const message = document.createElement("div");
    message.className = "hindsight-dev-message";
    message.textContent = error.message;
    if (error.ruleId) {
      const rule = document.createElement("span");
      rule.textContent = `  ${error.ruleId}`;
      rule.style.color = "#999";
      message.append(rule);
    }
    item.append(message);
    if (error.hint) {
      const hint = document.createElement("div");
      hint.textContent = error.hint;
      hint.style.color = "#bbb";
      item.append(hint);
    }
    list.append(item);
  }
  overlay.append(list);
  const close = document.createElement("button");
  close.type = "button";
  close.textContent = "Close";
  Object.assign(close.style, { position: "absolute", top: "1rem", right: "1rem", font: "inherit", padding: "0.25rem 0.75rem" });
  close.addEventListener("click", hideOverlay);
  overlay.append(close);
  document.body.append(overlay);
}

function hideOverlay(): void {
  document.getElementById(OVERLAY_ID)?.remove();
}

const events = new EventSource(EVENTS_PATH);
events.addEventListener("open", () => (document.documentElement.dataset.hindsightDev = "connected"));
events.addEventListener("error", () => (document.documentElement.dataset.hindsightDev = "disconnected"));
events.addEventListener(STATE_EVENT, (event) => {
  const state = JSON.parse((event as MessageEvent<string>).data) as DevState;
  if (state.fatal || state.errors.length > 0) showOverlay(state);
  else hideOverlay();
  // A page that missed builds (the server restarted, the laptop slept) reloads to be sure.
  if (state.build !== seenBuild && (state.build !== seenBuild + 1 || affectsThisPage(state.changed))) location.reload();
  seenBuild = state.build;
});
