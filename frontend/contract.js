// Generated from contract/iris_contract.py by `make openapi` (tools/frontend_contract.py): do not edit.
// The facts of the model contract that docs/openapi.json does not carry. The API's own rules
// (row limit, measurement bounds) are not here: the page reads them from openapi.json.

/** @typedef {{name: string, description: string, observedMin: number, observedMax: number}} Feature */
/** @typedef {{species: string, values: number[]}} Example */

/** Column order of every row the API accepts, with the guide's observed ranges (cm). @type {readonly Feature[]} */
export const FEATURES = Object.freeze([
  { name: "sepal_length", description: "Length of sepal in cm", observedMin: 4.3, observedMax: 7.9 },
  { name: "sepal_width", description: "Width of sepal in cm", observedMin: 2.0, observedMax: 4.4 },
  { name: "petal_length", description: "Length of petal in cm", observedMin: 1.0, observedMax: 6.9 },
  { name: "petal_width", description: "Width of petal in cm", observedMin: 0.1, observedMax: 2.5 },
]);

/** The operator guide's worked example: one flower of each species. @type {readonly Example[]} */
export const GUIDE_EXAMPLES = Object.freeze([
  { species: "setosa", values: [5.1, 3.5, 1.4, 0.2] },
  { species: "versicolor", values: [6.2, 2.9, 4.3, 1.3] },
  { species: "virginica", values: [7.7, 3.0, 6.1, 2.3] },
]);
