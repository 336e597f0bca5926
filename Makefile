# klearct: `make setup` once, then `make test`. Needs root for the Docker engine and debootstrap.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# no registry is reachable here: bootstrap the image's base from Debian's mirror
SANDBOX_BUILD_FLAGS ?= --offline

.PHONY: setup venv engine sandbox-image check test test-fast bench lint clean

setup: venv engine sandbox-image

venv: $(BIN)/klearct

$(BIN)/klearct: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

engine:
	@command -v debootstrap >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null)
	sh sandbox_images/start-engine.sh

sandbox-image: venv engine
	@$(BIN)/python -c "import docker; from klear_ct.sandbox.image import image_tag; docker.from_env().images.get(image_tag())" 2>/dev/null \
		|| $(BIN)/klearct sandbox build $(SANDBOX_BUILD_FLAGS)

check: sandbox-image
	$(BIN)/klearct sandbox check --backend docker
	$(BIN)/klearct sandbox check --backend local

test: sandbox-image
	KLEARCT_REQUIRE_DOCKER=1 $(BIN)/python -m pytest -q

test-fast: venv
	$(BIN)/python -m pytest -q -m "not docker and not local"

bench: sandbox-image
	$(BIN)/python benchmarks/sandbox_bench.py

lint: venv
	$(BIN)/ruff check klear_ct tests benchmarks

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
