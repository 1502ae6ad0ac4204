// The batch's plot: its rows' marks (from batch-worker.js, an even sample above the cap), the
// decision regions with the other two measurements held at the batch's medians, and the table
// named as its accessible equivalent.

import { ask } from "./batch-store.js";
import { FEATURES } from "./contract.js";
import { byId } from "./dom.js";
import { count } from "./format.js";
import { MARK_CAP } from "./plot-data.js";
import { PlotPanel } from "./plot-panel.js";

/** @type {PlotPanel|null} */
let panel = null;
const batch = { classes: /** @type {string[]} */ ([]), stats: /** @type {any[]} */ ([]) };

/** @param {number} x @param {number} y @returns {Promise<import("./plot-panel.js").PlotSource>} */
async function source(x, y) {
  const points = await ask("plot", { x, y, cap: MARK_CAP });
  const shown = points.x.length;
  const subject =
    shown === points.plotted
      ? `${count.format(shown)} classified row${shown === 1 ? "" : "s"}, one mark each`
      : `${count.format(points.plotted)} classified rows, of which ${count.format(shown)} are shown (the plot's cap), an even sample`;
  return {
    classes: batch.classes,
    points,
    references: [],
    highlight: null,
    extents: batch.stats.map((feature) => feature.extent),
    held: batch.stats.map((feature, k) => feature.median ?? (FEATURES[k].observedMin + FEATURES[k].observedMax) / 2),
    heldBy: "the batch's medians",
    subject,
    equivalent: "The table below lists every row: it is this plot's accessible equivalent",
  };
}

/** Draws (or redraws) the plot for the batch just classified. @param {string[]} classes */
export async function showBatchPlot(classes) {
  batch.classes = classes;
  batch.stats = await ask("stats");
  panel ??= new PlotPanel(byId("batch-plot"), "batch-plot", source);
  await panel.draw();
}
