"""frontend/contract.js, generated from the model contract: make openapi writes it with docs/openapi.json.

The page takes the API's rules (row limit, measurement bounds) from openapi.json; this file holds
what that document does not carry: the feature order with the guide's observed ranges, and the
guide's three example flowers with their species.
"""

from __future__ import annotations

import sys

from iris_contract import CLASS_NAMES, FEATURES, GUIDE_EXAMPLE_INSTANCES, GUIDE_EXAMPLE_PREDICTIONS

from project import ROOT

DOCUMENT = ROOT / "frontend" / "contract.js"


def rendered() -> str:
    features = "\n".join(
        f'  {{ name: "{f.name}", description: "{f.description}", '
        f"observedMin: {f.observed_min!r}, observedMax: {f.observed_max!r} }},"
        for f in FEATURES
    )
    examples = "\n".join(
        f'  {{ species: "{CLASS_NAMES[label]}", values: [{", ".join(repr(v) for v in row)}] }},'
        for row, label in zip(GUIDE_EXAMPLE_INSTANCES, GUIDE_EXAMPLE_PREDICTIONS, strict=True)
    )
    return f"""// Generated from contract/iris_contract.py by `make openapi` (tools/frontend_contract.py): do not edit.
// The facts of the model contract that docs/openapi.json does not carry. The API's own rules
// (row limit, measurement bounds) are not here: the page reads them from openapi.json.

/** @typedef {{{{name: string, description: string, observedMin: number, observedMax: number}}}} Feature */
/** @typedef {{{{species: string, values: number[]}}}} Example */

/** Column order of every row the API accepts, with the guide's observed ranges (cm). @type {{readonly Feature[]}} */
export const FEATURES = Object.freeze([
{features}
]);

/** The operator guide's worked example: one flower of each species. @type {{readonly Example[]}} */
export const GUIDE_EXAMPLES = Object.freeze([
{examples}
]);
"""


if __name__ == "__main__":
    DOCUMENT.write_text(rendered())
    print(f"wrote {DOCUMENT}", file=sys.stderr)
