# The two commands of the quick start: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench eval-real clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.base: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,local]'
	touch $@ $(VENV)/.base

demo: $(VENV)/.base
	$(BIN)/brief weekly --demo

test: $(VENV)/.dev
	$(BIN)/python -m pytest

# The real-model lane (docs/real-model.md): real GGUF models from ../shared/models/fetch.py.
eval-real: $(VENV)/.dev
	OMP_WAIT_POLICY=PASSIVE $(BIN)/python benchmarks/real_model_lane.py --model qwen2.5-coder-0.5b --lang zh --report docs/real-model.md
	OMP_WAIT_POLICY=PASSIVE $(BIN)/python benchmarks/real_model_lane.py --model smollm2-135m --lang en --report docs/real-model.md

lint: $(VENV)/.dev
	$(BIN)/ruff check agent store evals tests benchmarks
	$(BIN)/mypy agent store evals

clean:
	rm -rf $(VENV)
