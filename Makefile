# `make run`: play the default show (or, without a display, render it to out/default.mp4).
# `make test`: the test suite. Both create .venv and install everything on first use.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench lint mutants clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch first, pinned: this takes the CPU wheel instead of a multi-GB CUDA build.
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	# Bytecode now, as pip does for a regular install: an editable one has none, and where
	# PYTHONDONTWRITEBYTECODE is set every command would compile the package again (~0.1 s).
	$(BIN)/python -m compileall -q shaderviz
	touch $(STAMP)

run: $(STAMP)
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
		$(BIN)/shaderviz play; \
	else \
		echo "No display: rendering the default loop headless instead."; \
		mkdir -p out && $(BIN)/shaderviz render -o out/default.mp4 && \
		echo "Open out/default.mp4 to watch it."; \
	fi

test: $(STAMP)
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

# Bugs put in a temporary copy one at a time: does the suite catch each? (slow; not in `test`)
mutants: $(STAMP)
	$(BIN)/python tests/mutants.py

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache
