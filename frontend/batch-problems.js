// What went wrong in a batch, in words: each failed part's rows and lines, the API's message and
// request id, a 422's problems at their file line and column, and a button to retry just those
// rows; parts a Cancel left unsent, with a button to classify the rest.

import { ApiError } from "./client.js";
import { h } from "./dom.js";
import { describeError, showError } from "./errors.js";
import { count } from "./format.js";

/** @typedef {import("./batch-data.js").Part & {firstLine: number, lastLine: number}} Part */
/**
 * @typedef {object} Failure
 * @property {Part} part
 * @property {unknown} error
 * @property {Array<ReturnType<typeof import("./batch-data.js").locate>>} located  a 422's problems in the file
 */

/** "rows 10,001 to 20,000 (lines 10,002 to 20,001)" @param {Part[]} parts */
export function rowRange(parts) {
  return parts
    .map(({ start, end, firstLine, lastLine }) =>
      end - start === 1
        ? `row ${count.format(start + 1)} (line ${count.format(firstLine)})`
        : `rows ${count.format(start + 1)} to ${count.format(end)} (lines ${count.format(firstLine)} to ${count.format(lastLine)})`,
    )
    .join(", ");
}

/**
 * @param {HTMLElement} box  the batch's alert
 * @param {{failures: Failure[], notSent: Part[], wholeFile: boolean, fromTextBox: boolean, settings: {baseUrl: string, apiKey: string}}} problems
 *   wholeFile: the file went in one request, so its failure is the file's
 */
export function showProblems(box, { failures, notSent, wholeFile, fromTextBox, settings }) {
  /** @type {Map<string, {described: ReturnType<typeof describeError>, extra: Node[], parts: Part[]}>} */
  const groups = new Map();
  for (const { part, error, located } of failures) {
    const described = describeError(error, settings);
    /** @type {Node[]} */
    const extra = [];
    if (error instanceof ApiError && error.status === 422 && located.length > 0) {
      described.sentence = "The API did not accept some rows. Fix them and try again:";
      extra.push(h("ul", { class: "row-errors" }, ...located.map((problem) => problemItem(problem, fromTextBox))));
    }
    // Parts that failed alike (an API that is down, a key refused) are told once.
    const key = extra.length ? `part ${part.index}` : `${described.sentence}|${described.apiSaid ?? ""}`;
    const group = groups.get(key) ?? { described, extra, parts: [] };
    group.parts.push(part);
    groups.set(key, group);
  }
  const blocks = [...groups.values()].map(({ described, extra, parts }) => {
    const block = h("div", { class: "part-problem", "data-parts": parts.map((p) => p.index).join(" ") });
    showError(block, described, extra);
    if (!wholeFile) {
      const range = rowRange(parts);
      block.prepend(h("p", { class: "part-range" }, h("strong", {}, `${range.charAt(0).toUpperCase()}${range.slice(1)}`), " were not classified."));
      block.append(retryButton(parts, `Retry ${rangeOnly(parts)}`));
    }
    return block;
  });
  if (notSent.length > 0) {
    const range = rowRange(notSent);
    blocks.push(
      h(
        "div",
        { class: "part-problem", "data-parts": notSent.map((p) => p.index).join(" ") },
        h("p", { class: "error-sentence" }, `Cancelled: ${range} were not classified.`),
        retryButton(notSent, "Classify the rest"),
      ),
    );
  }
  box.replaceChildren(...blocks);
}

/** "rows 10,001 to 20,000" (without the lines), for a button. @param {Part[]} parts */
function rangeOnly(parts) {
  const rows = parts.reduce((sum, { start, end }) => sum + end - start, 0);
  if (parts.length === 1) return `rows ${count.format(parts[0].start + 1)} to ${count.format(parts[0].end)}`;
  return `these ${count.format(rows)} rows`;
}

/** @param {Part[]} parts @param {string} text */
function retryButton(parts, text) {
  return h("p", {}, h("button", { type: "button", class: "secondary", "data-retry-parts": parts.map((p) => p.index).join(" ") }, text));
}

/**
 * One 422 problem as "Line 7, column petal_width (row 6): …", with the line's text and a way to select it.
 * @param {ReturnType<typeof import("./batch-data.js").locate>} problem
 * @param {boolean} fromTextBox
 */
function problemItem(problem, fromTextBox) {
  if (problem.line === undefined || problem.row === undefined) return h("li", {}, `${problem.location}: ${problem.message}`);
  return h(
    "li",
    { "data-line": problem.line, "data-field": problem.field },
    h("strong", {}, `Line ${count.format(problem.line)}`),
    `${problem.column ? `, column ${problem.column}` : ""} (row ${count.format(problem.row + 1)}): ${problem.message}`,
    h("br"),
    h("code", { class: "line-text" }, problem.text ?? ""),
    fromTextBox ? " " : null,
    fromTextBox
      ? h("button", { type: "button", class: "secondary link-button", "data-select-line": problem.line }, `Select line ${count.format(problem.line)}`)
      : null,
  );
}
