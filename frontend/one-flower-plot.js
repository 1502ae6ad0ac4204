// One flower on the plot: the flower marked large, the operator guide's three flowers for
// reference, and the decision regions with the other two measurements held at the flower's own.

import { GUIDE_EXAMPLES } from "./contract.js";
import { byId } from "./dom.js";
import { PlotPanel } from "./plot-panel.js";

const figure = byId("one-plot");
/** @type {PlotPanel|null} */
let panel = null;
const flower = { values: /** @type {number[]} */ ([]), predicted: 0, classes: /** @type {string[]} */ ([]) };

/** @param {number} x @param {number} y @returns {Promise<import("./plot-panel.js").PlotSource>} */
async function source(x, y) {
  const { values, predicted, classes } = flower;
  const classOf = (/** @type {string} */ species) => Math.max(0, classes.indexOf(species));
  const plotted = [values, ...GUIDE_EXAMPLES.map((example) => example.values)];
  // A guide's flower measured as this one is this one: one mark, one label.
  const same = GUIDE_EXAMPLES.find((example) => example.values.every((value, k) => value === values[k]));
  return {
    classes,
    points: { x: [], y: [], cls: [], uncertain: [] },
    references: GUIDE_EXAMPLES.filter((example) => example !== same).map((example) => ({
      x: example.values[x],
      y: example.values[y],
      cls: classOf(example.species),
      label: `guide's ${example.species}`,
    })),
    highlight: {
      x: values[x],
      y: values[y],
      cls: predicted,
      label: "this flower",
    },
    extents: values.map((_, k) => ({ min: Math.min(...plotted.map((row) => row[k])), max: Math.max(...plotted.map((row) => row[k])) })),
    held: values,
    heldBy: "this flower's own",
    subject: same
      ? `this flower (the large mark), which is the operator guide's ${same.species}, and the guide's other two flowers (hollow marks) for reference`
      : "this flower (the large mark) and the operator guide's three flowers (hollow marks) for reference",
    equivalent: "The predicted species and the probabilities above say the same in words",
  };
}

/**
 * @param {number[]} values  the flower's measurements, in the features' order
 * @param {import("./client.js").Prediction} answer
 */
export function showFlowerPlot(values, answer) {
  flower.values = values;
  flower.predicted = answer.predictions[0];
  flower.classes = answer.classes;
  figure.hidden = false;
  panel ??= new PlotPanel(figure, "one-plot", source);
  return panel.draw();
}

export function hideFlowerPlot() {
  figure.hidden = true;
}
