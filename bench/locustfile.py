"""Load profile for make load: callers posting the guide's rows to /predict, as a frontend would."""

from __future__ import annotations

import json
import random

from iris_contract import GUIDE_EXAMPLE_INSTANCES, GUIDE_EXAMPLE_PREDICTIONS
from locust import FastHttpUser, constant, task

ROWS = [list(row) for row in GUIDE_EXAMPLE_INSTANCES]


class Caller(FastHttpUser):
    wait_time = constant(0)

    @task(10)
    def predict_one_row(self) -> None:
        body = json.dumps({"instances": [random.choice(ROWS)]})
        with self.client.post(
            "/predict", data=body, headers={"Content-Type": "application/json"}, catch_response=True
        ) as response:
            if response.status_code != 200 or len(response.json()["predictions"]) != 1:
                response.failure(f"status {response.status_code}")

    @task(1)
    def predict_guide_rows(self) -> None:
        body = json.dumps({"instances": ROWS})
        with self.client.post(
            "/predict", data=body, headers={"Content-Type": "application/json"}, catch_response=True
        ) as response:
            if response.status_code != 200 or response.json()["predictions"] != list(GUIDE_EXAMPLE_PREDICTIONS):
                response.failure(f"status {response.status_code}")
