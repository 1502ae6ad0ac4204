// One flower: four measurement inputs (bounds and hints from the API's rules), the operator
// guide's example flowers, the predicted species with a bar per class, and 422s next to the input.

import { ApiError, parseLocation, predict } from "./client.js";
import { FEATURES, GUIDE_EXAMPLES } from "./contract.js";
import { byId, h } from "./dom.js";
import { describeError, hideError, showError } from "./errors.js";
import { cm, percent, UNIT } from "./format.js";
import { hideFlowerPlot, showFlowerPlot } from "./one-flower-plot.js";
import { answerDetails, prepareRequest } from "./request.js";
import { accepted, FEATURE_NAMES, featureLabel, rules } from "./rules.js";

/** @typedef {import("./client.js").Prediction} Prediction */

const oneForm = /** @type {HTMLFormElement} */ (byId("one-form"));
const oneStatus = byId("one-status");
const oneError = byId("one-error");
const oneResult = byId("one-result");
const oneState = {};
/** @type {Map<string, HTMLInputElement>} */
const measurementInputs = new Map();

function buildMeasurementInputs() {
  const container = byId("measurements");
  container.replaceChildren();
  for (const feature of FEATURES) {
    const id = `m-${feature.name}`;
    const field = rules?.fields.get(feature.name);
    const bounds = accepted(feature.name);
    const input = /** @type {HTMLInputElement} */ (
      h("input", {
        id,
        name: feature.name,
        type: "number",
        step: "any",
        inputmode: "decimal",
        min: field?.minimum,
        max: field?.maximum,
        required: true,
        "aria-describedby": `${id}-hint ${id}-error`,
      })
    );
    measurementInputs.set(feature.name, input);
    container.append(
      h(
        "div",
        { class: "field measurement", "data-feature": feature.name },
        h("label", { for: id }, featureLabel(feature), h("span", { class: "visually-hidden" }, ` in ${UNIT}`)),
        h("div", { class: "input-unit" }, input, h("span", { class: "unit", "aria-hidden": "true" }, UNIT)),
        h(
          "p",
          { class: "hint", id: `${id}-hint` },
          `Usually ${cm.format(feature.observedMin)}–${cm.format(feature.observedMax)} ${UNIT}`,
          bounds ? `; the API takes ${bounds}.` : ".",
        ),
        h("p", { class: "field-error", id: `${id}-error`, hidden: true }),
      ),
    );
  }
}

function buildExampleButtons() {
  byId("example-buttons").replaceChildren(
    ...GUIDE_EXAMPLES.map((example, index) =>
      h(
        "button",
        { type: "button", class: "example", "data-example": index },
        h("span", { class: "example-name" }, example.species),
        " ",
        h("span", { class: "example-values" }, example.values.map((value) => cm.format(value)).join(", ")),
      ),
    ),
  );
}

/** @param {string} name @param {string} message */
function showFieldError(name, message) {
  const input = measurementInputs.get(name);
  if (!input) return false;
  const error = byId(`${input.id}-error`);
  error.textContent = error.hidden ? message : `${error.textContent} ${message}`;
  error.hidden = false;
  input.setAttribute("aria-invalid", "true");
  return true;
}

function clearFieldErrors() {
  for (const input of measurementInputs.values()) {
    input.removeAttribute("aria-invalid");
    const error = byId(`${input.id}-error`);
    error.hidden = true;
    error.textContent = "";
  }
}

function focusFirstInvalid() {
  [...measurementInputs.values()].find((input) => input.getAttribute("aria-invalid") === "true")?.focus();
}

async function classifyOne() {
  clearFieldErrors();
  hideError(oneError);
  const row = [];
  for (const feature of FEATURES) {
    const input = /** @type {HTMLInputElement} */ (measurementInputs.get(feature.name));
    if (Number.isNaN(input.valueAsNumber)) {
      showFieldError(feature.name, `Enter the ${featureLabel(feature).toLowerCase()} as a number of ${UNIT}.`);
    }
    row.push(input.valueAsNumber);
  }
  if (row.some(Number.isNaN)) {
    oneStatus.textContent = "";
    showError(oneError, { sentence: "Fill in all four measurements, or pick one of the guide's flowers." });
    focusFirstInvalid();
    return;
  }
  const { settings, signal, problem } = prepareRequest(oneState);
  if (problem) return showError(oneError, { sentence: problem, settings: true });

  oneStatus.textContent = "Classifying…";
  oneResult.setAttribute("aria-busy", "true");
  try {
    const answer = await predict([row], { ...settings, signal });
    renderOneResult(answer);
    showFlowerPlot(row, answer);
  } catch (error) {
    if (signal.aborted) return; // a newer request took over
    oneResult.hidden = true;
    hideFlowerPlot();
    oneStatus.textContent = "";
    const described = describeError(error, settings);
    const general = [];
    if (error instanceof ApiError && error.status === 422) {
      for (const detail of error.errors) {
        const where = parseLocation(detail.location);
        const name = where.field ?? (where.column !== undefined ? FEATURE_NAMES[where.column] : undefined);
        if (!(where.row === 0 && name && showFieldError(name, detail.message))) {
          general.push(h("li", {}, `${detail.location}: ${detail.message}`));
        }
      }
      described.sentence = general.length
        ? "The API did not accept the request:"
        : "The API did not accept the measurements; see the marked field.";
    }
    showError(oneError, described, general.length ? [h("ul", {}, ...general)] : []);
    focusFirstInvalid();
  } finally {
    if (!signal.aborted) oneResult.removeAttribute("aria-busy");
  }
}

/** @param {Prediction} answer */
function renderOneResult(answer) {
  const predicted = answer.predictions[0];
  const probabilities = answer.probabilities[0];
  const species = answer.classes[predicted] ?? `class ${predicted}`;
  oneStatus.textContent = `Predicted ${species}, with probability ${percent.format(probabilities[predicted] ?? 0)}.`;
  oneResult.replaceChildren(
    h("p", { class: "species" }, h("span", { class: "species-label" }, "Predicted species"), h("strong", { id: "predicted-species" }, species)),
    h(
      "ul",
      { class: "bars", "aria-label": "Probability of each species" },
      ...answer.classes.map((name, index) => {
        const p = probabilities[index] ?? 0;
        return h(
          "li",
          { class: index === predicted ? "bar is-predicted" : "bar", "data-class": name, "data-probability": p },
          h("span", { class: "bar-name" }, name),
          h(
            "svg",
            { class: "bar-chart", viewBox: "0 0 100 10", preserveAspectRatio: "none", "aria-hidden": "true", focusable: "false" },
            h("rect", { class: "bar-track", x: 0, y: 0, width: 100, height: 10 }),
            h("rect", { class: "bar-fill", x: 0, y: 0, width: Math.max(0, Math.min(1, p)) * 100, height: 10 }),
          ),
          h("span", { class: "bar-value" }, percent.format(p)),
        );
      }),
    ),
    answerDetails(answer),
  );
  oneResult.hidden = false;
}

export function setUpOneFlower() {
  buildMeasurementInputs();
  buildExampleButtons();
  oneForm.addEventListener("submit", (event) => {
    event.preventDefault();
    classifyOne();
  });
  byId("example-buttons").addEventListener("click", (event) => {
    const button = /** @type {HTMLElement} */ (event.target).closest("button[data-example]");
    if (!button) return;
    const example = GUIDE_EXAMPLES[Number(button.getAttribute("data-example"))];
    FEATURES.forEach((feature, index) => {
      /** @type {HTMLInputElement} */ (measurementInputs.get(feature.name)).value = cm.format(example.values[index]);
    });
    classifyOne();
  });
}
