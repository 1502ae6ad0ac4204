# iris-gateway: the project's vocabulary. `make run` and `make test` are all a newcomer needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The Lambda runtime is python3.13; the environments use it too when this machine has it.
PYTHON ?= $(shell python3 -m tools.pythons 3.13 || command -v python3)

# Five pinned environments, one per tool set whose pins would clash: .venv (tests, local stack,
# training), .venv-sam (SAM CLI, whose wheel also ships the Lambda Runtime Interface Emulator),
# .venv-scan (checkov), .venv-lambda (the function's runtime: awslambdaric and the layer's packages)
# and .venv-serving (the scikit-learn serving image's web stack, on the image's Python, 3.12).
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
SAM_INSTALLED := .venv-sam/.installed
SCAN_INSTALLED := .venv-scan/.installed
LAMBDA_INSTALLED := .venv-lambda/.installed
SERVING_INSTALLED := .venv-serving/.installed
SERVING_PYTHON ?= $(shell python3 -m tools.pythons 3.12)

# An environment from its lock: requirements/<lock>.txt pins every package with the hashes of its
# files on PyPI, and pip refuses any file whose hash is not there. $(call environment,<venv>,<lock>)
define environment
	@test -x $(1)/bin/python || $(PYTHON) -m venv $(1)
	$(1)/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/$(2).txt
	@touch $(1)/.installed
endef

# The model contract and the function's package (predict, from functions/: pyproject.toml) are this
# repository's own code: installed editable, without build isolation so that they build with the
# lock's setuptools instead of one fetched unchecked.
$(INSTALLED): requirements/constraints.txt contract/pyproject.toml pyproject.toml
	$(call environment,$(VENV),constraints)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e ./contract -e .

$(SAM_INSTALLED): requirements/sam-constraints.txt
	$(call environment,.venv-sam,sam-constraints)

$(SCAN_INSTALLED): requirements/scan-constraints.txt
	$(call environment,.venv-scan,scan-constraints)

$(LAMBDA_INSTALLED): requirements/lambda-constraints.txt
	$(call environment,.venv-lambda,lambda-constraints)

# uv for `make lock`, itself from a lock with hashes.
LOCK_TOOL := .venv-lock/.installed
$(LOCK_TOOL): requirements/lock-constraints.txt
	$(call environment,.venv-lock,lock-constraints)

# Installed as the image installs its lock (exactly the pins, no resolution: the image overrides a pin
# of sagemaker-containers), then patched as the image patches sagemaker-containers for Python 3.12.
# Without Python 3.12, or where the install fails, the local endpoint serves in-process and says why.
$(SERVING_INSTALLED): requirements/serving.txt requirements/serving-constraints.txt
	@if [ -z "$(SERVING_PYTHON)" ]; then echo "serving image: no python3.12 here; the local endpoint will serve in-process"; \
	else rm -rf .venv-serving && $(SERVING_PYTHON) -m venv .venv-serving \
	  && .venv-serving/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes -r requirements/serving-constraints.txt \
	  && sed -i 's/collections\.Mapping/collections.abc.Mapping/g' .venv-serving/lib/python3*/site-packages/sagemaker_containers/_mapping.py \
	  && touch $@ \
	  || echo "serving image: could not install .venv-serving; the local endpoint will serve in-process"; fi

# The local stack runs the function in the Lambda Runtime Interface Emulator, and the model in the
# serving image's code.
LOCAL_LAMBDA := $(SAM_INSTALLED) $(LAMBDA_INSTALLED) $(SERVING_INSTALLED)

# Make tracks when the model was last trained; where the artifact lives is model_training/artifact.py's to say.
MODEL_TRAINED := build/.model-trained
MODEL_SOURCES := $(wildcard model_training/*.py serving/*.py) contract/iris_contract.py
TRAIN = $(BIN)/python -m model_training.train && touch $(MODEL_TRAINED)

.PHONY: help venv sam-cli browser scan validate build model challenger run run-ab invoke openapi publish-model deploy check-layer smoke load test unit integration lint format bench mutation lock rie-checksums serving-hashes clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

venv: $(INSTALLED) ## Create .venv with the pinned dependencies

sam-cli: $(SAM_INSTALLED) ## Install SAM CLI into .venv-sam

# Debian's chromium for the browser tests; Playwright's own browser download is not reachable here.
CHROMIUM := /usr/bin/chromium
browser: ## Install Debian's chromium for the browser tests (as root, with apt-get); say so where it cannot
	@if [ -x $(CHROMIUM) ]; then echo "browser: $$($(CHROMIUM) --version 2>/dev/null)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  (apt-get install -y -q chromium >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null)) \
	    && echo "browser: installed $$($(CHROMIUM) --version 2>/dev/null)" \
	    || echo "browser: could not install chromium; the browser tests will be skipped, saying so"; \
	else echo "browser: no chromium, and no root apt-get to install it; the browser tests will be skipped, saying so"; fi

scan: $(SCAN_INSTALLED) ## checkov on template.yaml, offline; every skip is explained in the template
	BC_SKIP_MAPPING=TRUE .venv-scan/bin/checkov -f template.yaml --framework cloudformation --compact --quiet --skip-download

validate: $(INSTALLED) $(SAM_INSTALLED) ## sam validate --lint
	$(BIN)/python -m tools.sam_cli validate --lint

build: $(INSTALLED) $(SAM_INSTALLED) ## sam build (python3.13, arm64) into .aws-sam/
	$(BIN)/python -m tools.sam_cli build

$(MODEL_TRAINED): $(INSTALLED) $(MODEL_SOURCES)
	$(TRAIN)

model: $(INSTALLED) ## Train, evaluate and package the model artifact
	$(TRAIN)

challenger: $(INSTALLED) ## Train a second model (another seed) to serve next to the first (A/B)
	$(BIN)/python -m model_training.train --challenger

run: $(MODEL_TRAINED) $(LOCAL_LAMBDA) ## Start the local stack: API on :3000, SageMaker Runtime on :8080 (Ctrl-C stops)
	$(BIN)/python -m local_stack

run-ab: $(MODEL_TRAINED) $(LOCAL_LAMBDA) challenger ## make run with the challenger as a second production variant
	$(BIN)/python -m local_stack --challenger

invoke: $(MODEL_TRAINED) $(LOCAL_LAMBDA) ## Run the function once on EVENT=events/<file>.json (sam local invoke, without Docker)
	@test -n "$(EVENT)" || { echo "usage: make invoke EVENT=events/<file>.json"; exit 2; }
	$(BIN)/python -m local_stack.invoke $(EVENT)

test: lint $(SAM_INSTALLED) $(SCAN_INSTALLED) $(LAMBDA_INSTALLED) $(SERVING_INSTALLED) browser ## Lint, then every test layer
	$(BIN)/python -m pytest

unit: $(INSTALLED) ## Unit tests only (no network)
	$(BIN)/python -m pytest tests/unit

integration: $(INSTALLED) $(LOCAL_LAMBDA) ## Integration tests against the local stack
	$(BIN)/python -m pytest tests/integration

lint: $(INSTALLED) ## ruff check and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(INSTALLED) ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

openapi: $(INSTALLED) ## Regenerate docs/openapi.json, frontend/contract.js and sam-local-env.json from the code
	$(BIN)/python -m tools.openapi
	$(BIN)/python -m tools.frontend_contract
	$(BIN)/python -m tools.sam_local_env

publish-model: $(MODEL_TRAINED) ## Upload the artifact to S3 under its content hash (MODEL_BUCKET=... to use yours)
	$(BIN)/python -m tools.publish_model

deploy: build ## sam deploy with the published model (DEPLOY_PARAMETERS="AuthMode=API_KEY ..." for more)
	$(BIN)/python -m tools.sam_cli deploy $(DEPLOY_PARAMETERS)

check-layer: $(INSTALLED) ## With AWS credentials: does the template's Powertools layer hold requirements/lambda.txt's release?
	$(BIN)/python -m tools.check_layer

URL ?= http://127.0.0.1:3000/predict
smoke: $(INSTALLED) ## The post-deploy check against URL=<PredictUrl> (default: the local stack)
	$(BIN)/python -m tools.smoke $(URL)

load: $(MODEL_TRAINED) $(LOCAL_LAMBDA) ## locust, headless: concurrent callers on the local stack (LOAD_USERS, LOAD_DURATION)
	$(BIN)/python -m bench.load

bench: $(MODEL_TRAINED) $(LOCAL_LAMBDA) ## Benchmarks, printed as figures and ratios, written to docs/benchmarks.md
	$(BIN)/python -m bench

# mutmut (requirements/mutation.txt) joins .venv only for this target; [tool.mutmut] in pyproject.toml
# says what is mutated and which tests run. mutants/ is rebuilt every time: mutmut keeps a cached
# verdict for an unchanged function even after tests change, so reusing it would hide new kills.
MUTATION_INSTALLED := $(VENV)/.mutation-installed
$(MUTATION_INSTALLED): $(INSTALLED) requirements/mutation-constraints.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/mutation-constraints.txt
	@touch $@

# The request path and the serving hooks keep at least this share of mutants killed (docs/mutation.md).
MUTATION_FAIL_UNDER ?= 95
mutation: $(MUTATION_INSTALLED) ## Mutation testing of functions/predict and inference.py (slow; not in make test)
	rm -rf mutants
	time LOCAL_LAMBDA=in-process FUZZ_SHARE=0.1 $(BIN)/python -m tools.mutation_run run
	$(BIN)/python -m tools.mutation_report --fail-under $(MUTATION_FAIL_UNDER)

# Each lock is resolved by uv for every platform (--universal) on the environments' Python 3.13,
# with the hashes of every file PyPI has for each pin. Existing pins are kept while they still
# satisfy requirements/*.txt; LOCK_UPGRADE=1 re-resolves everything to the newest allowed. The
# mutation lock is dev's plus mutmut's, holding dev's pins. Then the emulator's checksums are
# taken from the aws-sam-cli the new sam lock installs (local_stack checks the binary against them).
LOCKS := constraints:dev sam-constraints:sam scan-constraints:scan lambda-constraints:lambda lock-constraints:lock
UV_COMPILE = .venv-lock/bin/uv pip compile --quiet --universal --python-version 3.13 --generate-hashes \
	--custom-compile-command "make lock" $(if $(LOCK_UPGRADE),--upgrade)
lock: $(LOCK_TOOL) ## Re-resolve the locks (requirements/*constraints.txt, with hashes) and the emulator's checksums
	for pair in $(LOCKS); do \
	  $(UV_COMPILE) requirements/$${pair#*:}.txt -o requirements/$${pair%%:*}.txt || exit 1; \
	done
	$(UV_COMPILE) requirements/dev.txt requirements/mutation.txt -c requirements/constraints.txt \
	  -o requirements/mutation-constraints.txt
	$(MAKE) --no-print-directory serving-hashes
	$(MAKE) --no-print-directory $(SAM_INSTALLED)
	$(MAKE) --no-print-directory rie-checksums

rie-checksums: $(SAM_INSTALLED)
	rapid=$$(ls -d .venv-sam/lib/python3*/site-packages/samcli/local/rapid) && sums=$$(cd $$rapid && sha256sum aws-lambda-rie-*) && \
	  (echo "# SHA-256 of the Runtime Interface Emulator in the wheel of $$(grep -o '^aws-sam-cli==[^ ]*' requirements/sam.txt), by 'make lock'."; \
	   echo "$$sums") > requirements/rie.sha256

clean: ## Remove the virtual environments and build outputs
	rm -rf $(VENV) .venv-sam .venv-scan .venv-lambda .venv-serving .venv-lock build .aws-sam .pytest_cache .ruff_cache .hypothesis mutants

# serving-constraints.txt is not resolved: its pins are the serving image's own lock, copied (pip
# cannot resolve them: the image overrides a pin). uv adds the hashes of each pinned file.
serving-hashes: $(LOCK_TOOL)
	@mkdir -p build
	grep '^#' requirements/serving-constraints.txt > build/serving-header.txt
	grep -v '^ *--hash\|^#\|^ *$$' requirements/serving-constraints.txt | sed 's/ *\\$$//' > build/serving-pins.txt
	.venv-lock/bin/uv pip compile --quiet --no-deps --universal --python-version 3.12 --generate-hashes \
	  --no-header build/serving-pins.txt -o build/serving-hashed.txt
	cat build/serving-header.txt build/serving-hashed.txt > requirements/serving-constraints.txt
