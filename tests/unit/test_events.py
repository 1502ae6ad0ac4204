"""Every sample event in events/ runs through the handler and gets the status its name implies."""

from __future__ import annotations

import pytest
from iris_contract import GUIDE_EXAMPLE_PREDICTIONS

from tests.helpers import EVENTS, call, endpoint_answer, load_event

EXPECTED_STATUS = {
    "health": 200,
    "predict-one-row": 200,
    "predict-guide-three-rows": 200,
    "predict-named-features": 200,
    "predict-malformed-json": 400,
    "predict-wrong-shape": 422,
    "predict-wrong-content-type": 415,
    "predict-preflight": 204,
}


def test_every_event_file_has_an_expected_status():
    assert {path.stem for path in EVENTS.glob("*.json")} == set(EXPECTED_STATUS)


@pytest.mark.parametrize("name", sorted(EXPECTED_STATUS))
def test_event_gets_the_status_its_name_implies(name, runtime_stub):
    event = load_event(name)
    rows = 3 if "three" in name or "named" in name else 1
    if EXPECTED_STATUS[name] == 200 and name.startswith("predict"):
        runtime_stub.add_response(
            "invoke_endpoint",
            endpoint_answer(
                {"predictions": list(GUIDE_EXAMPLE_PREDICTIONS[:rows]), "probabilities": [[1, 0, 0]] * rows}
            ),
        )

    answer = call(event)

    assert answer.status == EXPECTED_STATUS[name]
