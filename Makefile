# iris-gateway: the project's vocabulary. `make run` and `make test` are all a newcomer needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The Lambda runtime is python3.13; use it for the dev environment too when this machine has it.
PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3.13) $(shell command -v python3.13) $(shell command -v python3))
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
REQUIREMENTS := requirements/dev.txt requirements/constraints.txt functions/predict/requirements.txt
SAM_VENV := .venv-sam
SAM := $(SAM_VENV)/bin/sam
SAM_INSTALLED := $(SAM_VENV)/.installed
# sam build needs the function's runtime (python3.13) on PATH.
PYTHON313_DIR := $(dir $(firstword $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3.13) $(shell command -v python3.13)))
SAM_ENV := PATH="$(PYTHON313_DIR):$$PATH" SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-us-east-1}
MODEL := build/model/model.tar.gz
MODEL_SOURCES := $(wildcard model_training/*.py)

.PHONY: help venv sam-cli scan validate build model run invoke openapi publish-model deploy smoke load test unit integration lint format bench lock clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(INSTALLED): $(REQUIREMENTS)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt -c requirements/constraints.txt
	@touch $@

venv: $(INSTALLED) ## Create .venv with the pinned dependencies

$(SAM_INSTALLED): requirements/sam.txt requirements/sam-constraints.txt
	@test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements/sam.txt -c requirements/sam-constraints.txt
	@touch $@

sam-cli: $(SAM_INSTALLED) ## Install SAM CLI into .venv-sam

SCAN_VENV := .venv-scan
SCAN_INSTALLED := $(SCAN_VENV)/.installed
$(SCAN_INSTALLED): requirements/scan.txt requirements/scan-constraints.txt
	@test -x $(SCAN_VENV)/bin/python || $(PYTHON) -m venv $(SCAN_VENV)
	$(SCAN_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements/scan.txt -c requirements/scan-constraints.txt
	@touch $@

scan: $(SCAN_INSTALLED) ## checkov on template.yaml, offline; every skip is explained in the template
	BC_SKIP_MAPPING=TRUE $(SCAN_VENV)/bin/checkov -f template.yaml --framework cloudformation --compact --quiet --skip-download

validate: $(SAM_INSTALLED) ## sam validate --lint
	$(SAM_ENV) $(SAM) validate --lint

build: $(SAM_INSTALLED) ## sam build (python3.13, arm64) into .aws-sam/
	$(SAM_ENV) $(SAM) build

$(MODEL): $(INSTALLED) $(MODEL_SOURCES)
	$(BIN)/python -m model_training.train --output-dir $(dir $(MODEL))

model: $(MODEL) ## Train, evaluate and package build/model/model.tar.gz

run: $(MODEL) ## Start the local stack: API on :3000, SageMaker Runtime on :8080 (Ctrl-C stops)
	MODEL_ARTIFACT=$(MODEL) $(BIN)/python -m local_stack

invoke: $(MODEL) ## Run the handler once on EVENT=events/<file>.json (sam local invoke, without Docker)
	@test -n "$(EVENT)" || { echo "usage: make invoke EVENT=events/<file>.json"; exit 2; }
	MODEL_ARTIFACT=$(MODEL) $(BIN)/python -m local_stack.invoke $(EVENT)

test: $(INSTALLED) $(SAM_INSTALLED) $(SCAN_INSTALLED) ## Lint, then every test layer
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

unit: $(INSTALLED) ## Unit tests only (no network)
	$(BIN)/python -m pytest tests/unit

integration: $(INSTALLED) ## Integration tests against the local stack
	$(BIN)/python -m pytest tests/integration

lint: $(INSTALLED) ## ruff check and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(INSTALLED) ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

openapi: $(INSTALLED) ## Regenerate docs/openapi.json from the code
	$(BIN)/python -m tools.openapi

publish-model: $(MODEL) ## Upload the artifact to S3 under its content hash (MODEL_BUCKET=... to use yours)
	$(BIN)/python -m tools.publish_model --artifact $(MODEL)

MODEL_URI ?= $(shell cat build/model/published-uri.txt 2>/dev/null)
deploy: build ## sam deploy with the published model (DEPLOY_PARAMETERS="AuthMode=API_KEY ..." for more)
	$(SAM_ENV) $(SAM) deploy --parameter-overrides ModelDataUrl=$(MODEL_URI) $(DEPLOY_PARAMETERS)

URL ?= http://127.0.0.1:3000/predict
smoke: $(INSTALLED) ## The post-deploy check against URL=<PredictUrl> (default: the local stack)
	$(BIN)/python -m tools.smoke $(URL)

load: $(MODEL) ## locust, headless: concurrent callers on the local stack (LOAD_USERS, LOAD_DURATION)
	MODEL_ARTIFACT=$(MODEL) $(BIN)/python -m bench.load

bench: $(MODEL) ## Benchmarks, printed as figures and ratios
	$(BIN)/python -m bench

lock: ## Re-resolve requirements/constraints.txt and sam-constraints.txt
	for name in dev sam scan; do \
	  rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock && \
	  .venv-lock/bin/python -m pip install --quiet -r requirements/$$name.txt && \
	  target=$$([ $$name = dev ] && echo constraints || echo $$name-constraints) && \
	  (echo "# Full transitive pin set for requirements/$$name.txt, generated by 'make lock'. Do not edit by hand."; \
	   .venv-lock/bin/python -m pip freeze --exclude-editable | sort -f) > requirements/$$target.txt; \
	done; rm -rf .venv-lock

clean: ## Remove the virtual environment and build outputs
	rm -rf $(VENV) $(SAM_VENV) $(SCAN_VENV) build .aws-sam .pytest_cache .ruff_cache .hypothesis
