// A plot with its controls: two axis choices (petal length against petal width by default), the
// decision regions from one /predict call on a grid (the other two measurements held at the values
// the source gives, which the caption states), the legend, and a caption that says what is shown.
// The batch and the one-flower result each have one; they differ only in their source.

import { predict } from "./client.js";
import { FEATURES } from "./contract.js";
import { h } from "./dom.js";
import { describeError } from "./errors.js";
import { cm, count, percent, UNIT } from "./format.js";
import { drawPlot, legend } from "./plot.js";
import { axisRange, gridInstances, gridSide, regionRuns, UNCERTAIN_BELOW } from "./plot-data.js";
import { prepareRequest } from "./request.js";
import { featureLabel, rules } from "./rules.js";

/**
 * What a plot shows, for the two axes chosen.
 * @typedef {object} PlotSource
 * @property {string[]} classes
 * @property {import("./plot.js").PlotSpec["points"]} points
 * @property {import("./plot.js").Flower[]} references
 * @property {import("./plot.js").Flower|null} highlight
 * @property {Array<{min: number, max: number}|null>} extents  the data's extent per feature
 * @property {number[]} held        a value per feature; the grid holds the two not plotted at these
 * @property {string} heldBy        what the held values are, e.g. "the batch's medians"
 * @property {string} subject       e.g. "25,000 rows (3,000 shown, an even sample)"
 * @property {string} equivalent    where the same facts are as text, e.g. "The table below lists every row"
 */

const DEFAULT_AXES = { x: 2, y: 3 }; // petal length against petal width

export class PlotPanel {
  /**
   * @param {HTMLElement} figure  an empty <figure>
   * @param {string} id  a prefix for ids
   * @param {(x: number, y: number) => Promise<PlotSource>} source
   */
  constructor(figure, id, source) {
    this.figure = figure;
    this.id = id;
    this.source = source;
    this.state = {};
    this.previous = [DEFAULT_AXES.x, DEFAULT_AXES.y];
    /** @type {Map<string, {runs: ReturnType<typeof regionRuns>, side: number}>} */
    this.grids = new Map();
    this.drawing = h("div", { class: "plot-drawing" });
    this.caption = h("figcaption", { class: "plot-caption", id: `${id}-caption` });
    this.selects = [this.axisSelect("x", "Horizontal axis"), this.axisSelect("y", "Vertical axis")];
    figure.replaceChildren(h("div", { class: "plot-controls" }, ...this.selects.map((s) => s.field)), this.drawing, this.caption);
  }

  /** @param {"x"|"y"} axis @param {string} text */
  axisSelect(axis, text) {
    const select = /** @type {HTMLSelectElement} */ (
      h("select", { id: `${this.id}-${axis}`, "data-axis": axis }, ...FEATURES.map((f, k) => h("option", { value: k }, featureLabel(f))))
    );
    select.value = String(DEFAULT_AXES[axis]);
    select.addEventListener("change", () => {
      // One measurement on both axes says nothing: the other axis takes this one's previous choice.
      const [xSelect, ySelect] = this.selects.map((s) => s.select);
      if (xSelect.value === ySelect.value) (select === xSelect ? ySelect : xSelect).value = String(this.previous[axis === "x" ? 0 : 1]);
      this.draw();
    });
    return { select, field: h("div", { class: "field" }, h("label", { for: select.id }, text), select) };
  }

  /** Draws the plot for the axes chosen; the grid's answer is kept for each axes pair and held values. */
  async draw() {
    const [x, y] = this.selects.map((s) => Number(s.select.value));
    this.previous = [x, y];
    const ticket = (this.ticket = (this.ticket ?? 0) + 1);
    this.figure.setAttribute("aria-busy", "true");
    const source = await this.source(x, y);
    if (ticket !== this.ticket) return; // a newer drawing took over
    const xAxis = { label: `${featureLabel(FEATURES[x])} (${UNIT})`, range: axisRange(FEATURES[x], source.extents[x]) };
    const yAxis = { label: `${featureLabel(FEATURES[y])} (${UNIT})`, range: axisRange(FEATURES[y], source.extents[y]) };
    const held = source.held.map((value, k) => (k === x || k === y ? 0 : value));
    const side = gridSide(rules?.maxRows);
    const key = JSON.stringify([x, y, held, xAxis.range, yAxis.range, side]);
    let regionsProblem = "";
    if (!this.grids.has(key)) {
      const { settings, signal, problem } = prepareRequest(this.state);
      try {
        if (problem) throw new TypeError(problem);
        const grid = gridInstances({ x, y, xRange: xAxis.range, yRange: yAxis.range, side, held });
        const answer = await predict(grid, { ...settings, signal });
        if (answer.predictions.length !== grid.length) {
          throw new TypeError(`the API answered ${answer.predictions.length} predictions for ${grid.length} flowers.`);
        }
        this.grids.set(key, { runs: regionRuns(answer.predictions, side), side });
      } catch (error) {
        if (signal.aborted || ticket !== this.ticket) return;
        regionsProblem = ` The decision regions could not be drawn: ${describeError(error, settings).sentence}`;
      }
    }
    if (ticket !== this.ticket) return;
    const regions = this.grids.get(key) ?? null;
    const others = FEATURES.map((f, k) => ({ f, k })).filter(({ k }) => k !== x && k !== y);
    const heldText = others.map(({ f, k }) => `${featureLabel(f).toLowerCase()} at ${cm.format(source.held[k])} ${UNIT}`).join(" and ");
    const title = `${featureLabel(FEATURES[x])} against ${featureLabel(FEATURES[y]).toLowerCase()}, by predicted species`;
    const description =
      `${title}: ${source.subject}, each marked with its predicted species' colour and shape ` +
      `(${source.classes.map((name, k) => `${name} ${["circle", "square", "triangle"][k % 3]}`).join(", ")}); ` +
      `outlined marks are uncertain (highest probability under ${percent.format(UNCERTAIN_BELOW)}). ` +
      (regions
        ? `The shaded regions are the model's predictions on a ${side} × ${side} grid, with ${heldText} (${source.heldBy}).`
        : "No decision regions are drawn.") +
      regionsProblem +
      ` ${source.equivalent}.`;
    this.drawing.replaceChildren(
      drawPlot({ id: this.id, title, description, xAxis, yAxis, regions, ...source, narrow: this.figure.clientWidth < 480 }),
      legend(source.classes, `uncertain (highest probability under ${percent.format(UNCERTAIN_BELOW)})`),
    );
    this.caption.replaceChildren(
      h("strong", {}, title),
      `. ${source.subject.charAt(0).toUpperCase()}${source.subject.slice(1)}. `,
      regions
        ? `Shaded: the model's prediction on a ${count.format(side)} × ${count.format(side)} grid (one request), with ${heldText}, ${source.heldBy}.`
        : "",
      regionsProblem,
      ` ${source.equivalent}.`,
    );
    this.figure.removeAttribute("aria-busy");
  }
}
