// The page: settings (settings.js), one flower (one-flower.js), many flowers (batch.js), errors in
// words (errors.js). API calls go through client.js, CSV through csv.js; the API's request rules
// come from openapi.json (rules.js, openapi.js), the model's feature names, the guide's ranges and
// examples from contract.js.

import { setUpManyFlowers } from "./batch.js";
import { byId } from "./dom.js";
import { setUpOneFlower } from "./one-flower.js";
import { loadRules } from "./rules.js";
import { openSettings, setUpSettings } from "./settings.js";

document.addEventListener("click", (event) => {
  if (/** @type {HTMLElement} */ (event.target).closest("[data-open-settings]")) openSettings();
});
setUpSettings();
await loadRules();
setUpOneFlower();
setUpManyFlowers();
byId("loading-notice").remove();
document.documentElement.dataset.ready = "true";
