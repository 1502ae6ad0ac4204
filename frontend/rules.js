// The API's request rules as the page uses and states them: read once from openapi.json (by
// openapi.js) at start-up, then shared by the one-flower and batch forms.

import { FEATURES } from "./contract.js";
import { byId } from "./dom.js";
import { count, UNIT } from "./format.js";
import { loadApiRules } from "./openapi.js";

/** @typedef {import("./openapi.js").ApiRules} ApiRules */

export const FEATURE_NAMES = FEATURES.map((feature) => feature.name);

/** The rules, once loadRules has run; null when openapi.json was not found. @type {ApiRules|null} */
export let rules = null;

/** @param {import("./contract.js").Feature} feature */
export function featureLabel(feature) {
  const title = rules?.fields.get(feature.name)?.title ?? feature.name.replaceAll("_", " ");
  return title.charAt(0).toUpperCase() + title.slice(1).toLowerCase();
}

/** "0 to 30 cm", or null when the document gives no bounds. @param {string} name */
export function accepted(name) {
  const field = rules?.fields.get(name);
  if (field?.minimum === undefined || field.maximum === undefined) return null;
  return `${field.minimum} to ${field.maximum} ${UNIT}`;
}

function describeRules() {
  const text = byId("api-rules");
  if (!rules) {
    text.textContent =
      "The API's request rules (openapi.json) were not found next to this page, so nothing is checked " +
      "before sending: the API itself says what is wrong.";
    return;
  }
  const documented = rules.fields.size > 0 ? [...rules.fields.keys()] : FEATURE_NAMES;
  if (documented.join() !== FEATURE_NAMES.join()) {
    console.warn("openapi.json names features", documented, "but contract.js", FEATURE_NAMES);
  }
  const rows =
    rules.maxRows === undefined ? "" : ` ${count.format(rules.minRows ?? 1)} to ${count.format(rules.maxRows)} rows;`;
  const bounds = accepted(FEATURE_NAMES[0]);
  text.textContent = `Request rules from ${rules.source}:${rows}${bounds ? ` each measurement ${bounds}.` : ""}`;
}

/** Reads openapi.json next to the page, and says in the settings what it found. */
export async function loadRules() {
  rules = await loadApiRules();
  describeRules();
}
