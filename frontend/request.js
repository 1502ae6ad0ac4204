// What the one-flower and batch forms share around a request: starting it, and showing the
// answer's model version, variant and request id.

import { h } from "./dom.js";
import { checkBaseUrl, currentSettings } from "./settings.js";

/** @typedef {import("./client.js").Prediction} Prediction */

/** Everything before a request: a usable base URL, and the previous request of the form aborted. */
export function prepareRequest(/** @type {{controller?: AbortController}} */ state) {
  state.controller?.abort();
  state.controller = new AbortController();
  const problem = checkBaseUrl();
  return { settings: currentSettings(), signal: state.controller.signal, problem };
}

/** A model version, the variant and the request id, as a description list. @param {Prediction} answer */
export function answerDetails(answer) {
  return h(
    "dl",
    { class: "meta" },
    h("dt", {}, "Model version"),
    h("dd", {}, h("code", { class: "model-version" }, answer.model_version)),
    answer.variant ? h("dt", {}, "Variant") : null,
    answer.variant ? h("dd", { class: "variant" }, answer.variant) : null,
    answer.requestId ? h("dt", {}, "Request id") : null,
    answer.requestId ? h("dd", {}, h("code", { class: "request-id" }, answer.requestId)) : null,
  );
}
