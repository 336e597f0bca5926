# klearct: `make setup` once, then `make test`. Needs root for the Docker engine and debootstrap.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# no registry is reachable here: bootstrap the image's base from Debian's mirror
SANDBOX_BUILD_FLAGS ?= --offline

.PHONY: setup venv rl-venv engine sandbox-image demo check test test-fast bench lint clean

setup: venv engine sandbox-image

venv: $(BIN)/klearct

$(BIN)/klearct: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

# verl and the [train] extra (TRL) in one venv of their own: the tests run verl's scorer, reward manager and
# config, and `klearct train` (GRPO on a tiny offline model), on CPU. The extra adds only trl (~7 s, 7 MB):
# verl already brings torch, transformers, accelerate, datasets and peft.
# torch<2.14 takes the local CPU wheel (2.13.0+cpu) here; without the cap pip takes 2.14.1 with CUDA (+5 GB)
VERL_VENV ?= build/venv-verl
VERL_VERSION ?= 0.9.1
VERL_TORCH ?= torch<2.14
rl-venv: $(VERL_VENV)/bin/verl-installed

$(VERL_VENV)/bin/verl-installed: pyproject.toml
	$(PYTHON) -m venv $(VERL_VENV)
	$(VERL_VENV)/bin/pip install -q 'verl==$(VERL_VERSION)' '$(VERL_TORCH)' -e '.[train]'
	touch $@

engine:
	@command -v debootstrap >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null)
	@# PyPy and a JDK on the host, for the local backend (the image has its own)
	@command -v pypy3 >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pypy3 >/dev/null)
	@command -v javac >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openjdk-17-jdk-headless >/dev/null)
	@# musl-gcc on the host: the local backend's spawn helper starts faster built with it
	@command -v musl-gcc >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq musl-tools >/dev/null)
	sh sandbox_images/start-engine.sh

sandbox-image: venv engine
	@$(BIN)/python -c "import docker; from klear_ct.sandbox.image import image_tag; docker.from_env().images.get(image_tag())" 2>/dev/null \
		|| $(BIN)/klearct sandbox build $(SANDBOX_BUILD_FLAGS)

DEMO_RUN ?= runs/demo
# validate -> export -> report on the bundled sample, offline, no LLM. validate exits 1 when some
# problem failed (the sample has a broken generator on purpose); anything else stops the demo.
demo: sandbox-image
	$(BIN)/klearct validate datasets/sample/problems.jsonl -o $(DEMO_RUN) || [ $$? -eq 1 ]
	$(BIN)/klearct export $(DEMO_RUN) --format verl -o $(DEMO_RUN)/export/verl.parquet
	$(BIN)/klearct export $(DEMO_RUN) --format klear -o $(DEMO_RUN)/export/klear.jsonl
	$(BIN)/klearct report $(DEMO_RUN) --html $(DEMO_RUN)/report.html
	$(BIN)/python -c "import json, pyarrow.parquet as pq; t = pq.read_table('$(DEMO_RUN)/export/verl.parquet'); \
		n = sum(len(json.loads(r['ground_truth'])['inputs']) for r in t.column('reward_model').to_pylist()); \
		print(f'verl export: {t.num_rows} problems, {n} tests, every ground_truth parses')"

check: sandbox-image
	$(BIN)/klearct sandbox check --backend docker
	$(BIN)/klearct sandbox check --backend local

test: sandbox-image rl-venv
	KLEARCT_REQUIRE_DOCKER=1 KLEARCT_REQUIRE_VERL=1 KLEARCT_REQUIRE_TRAIN=1 $(BIN)/python -m pytest -q

test-fast: venv
	$(BIN)/python -m pytest -q -m "not docker and not local"

# each prints its figures side by side with a bare baseline measured in the same run
bench: sandbox-image
	$(BIN)/python benchmarks/sandbox_bench.py
	$(BIN)/python benchmarks/validate_bench.py
	$(BIN)/python benchmarks/evaluate_bench.py
	$(BIN)/python benchmarks/reward_bench.py
	$(BIN)/python benchmarks/scale_bench.py --sizes 200 1000

lint: venv
	$(BIN)/ruff check klear_ct tests benchmarks

clean:
	rm -rf $(VENV) $(VERL_VENV) *.egg-info .pytest_cache
