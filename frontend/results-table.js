// The batch's results table, a page at a time (the rows stay in batch-worker.js): one predicted
// class or all, in file order or by confidence, uncertain rows marked in words as well as style.

import { ask } from "./batch-store.js";
import { byId, h } from "./dom.js";
import { count, percent } from "./format.js";
import { UNCERTAIN_BELOW } from "./plot-data.js";

export const PAGE_ROWS = 50;

const table = byId("batch-table");
const filter = /** @type {HTMLSelectElement} */ (byId("batch-filter"));
const sort = /** @type {HTMLSelectElement} */ (byId("batch-sort"));
const previous = /** @type {HTMLButtonElement} */ (byId("page-previous"));
const next = /** @type {HTMLButtonElement} */ (byId("page-next"));
const position = byId("page-position");
const view = { offset: 0, total: 0, classes: /** @type {string[]} */ ([]), ticket: 0 };

/**
 * A new batch's table: its columns and the classes to choose from; then its first page.
 * @param {string[]} classes @param {string[]} columns  the input's columns
 */
export function resetTable(classes, columns) {
  view.classes = classes;
  view.offset = 0;
  filter.replaceChildren(h("option", { value: -1 }, "All species"), ...classes.map((name, k) => h("option", { value: k }, `Predicted ${name}`)));
  sort.value = "file";
  /** @type {HTMLElement} */ (table.querySelector("thead")).replaceChildren(
    h("tr", {}, ...["#", "Predicted", ...classes.map((name) => `P(${name})`), ...columns].map((name) => h("th", { scope: "col" }, name))),
  );
  return showPage();
}

/** The page at view.offset of the view the controls choose. */
export async function showPage() {
  const ticket = ++view.ticket;
  const { total, rows } = await ask("page", { filter: Number(filter.value), sort: sort.value, offset: view.offset, limit: PAGE_ROWS });
  if (ticket !== view.ticket) return;
  view.total = total;
  const body = document.createDocumentFragment();
  for (const row of rows) body.append(tableRow(row));
  /** @type {HTMLElement} */ (table.querySelector("tbody")).replaceChildren(body);
  const chosen = Number(filter.value) >= 0 ? ` predicted ${view.classes[Number(filter.value)]}` : "";
  /** @type {HTMLElement} */ (table.querySelector("caption")).textContent =
    `Predictions: ${count.format(total)} rows${chosen}, ${sort.selectedOptions[0]?.textContent?.toLowerCase()}`;
  position.textContent =
    total === 0 ? "No rows to show." : `Rows ${count.format(view.offset + 1)} to ${count.format(Math.min(total, view.offset + PAGE_ROWS))} of ${count.format(total)}`;
  previous.disabled = view.offset === 0;
  next.disabled = view.offset + PAGE_ROWS >= total;
}

/** @param {{row: number, cells: string[], predicted: number, probabilities: number[]|null, uncertain: boolean}} row */
function tableRow({ row, cells, predicted, probabilities, uncertain }) {
  const species = predicted < 0 ? "" : (view.classes[predicted] ?? String(predicted));
  return h(
    "tr",
    { class: uncertain ? "is-uncertain" : undefined, "data-row": row, "data-predicted": species || undefined },
    h("th", { scope: "row" }, row + 1),
    h(
      "td",
      { class: "prediction" },
      predicted < 0 ? h("span", { class: "not-classified" }, "not classified") : species,
      uncertain ? " " : null,
      uncertain ? h("span", { class: "uncertain-tag", title: `Highest probability under ${percent.format(UNCERTAIN_BELOW)}` }, "uncertain") : null,
    ),
    ...view.classes.map((_, k) =>
      h("td", { class: k === predicted ? "num top" : "num" }, probabilities ? percent.format(probabilities[k] ?? 0) : ""),
    ),
    ...cells.map((cell) => h("td", {}, cell)),
  );
}

/** @param {number} offset */
function moveTo(offset) {
  view.offset = Math.max(0, offset);
  return showPage();
}

export function setUpTable() {
  filter.addEventListener("change", () => moveTo(0));
  sort.addEventListener("change", () => moveTo(0));
  previous.addEventListener("click", () => moveTo(view.offset - PAGE_ROWS));
  next.addEventListener("click", () => moveTo(view.offset + PAGE_ROWS));
}
