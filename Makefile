# Targets a newcomer guesses. Everything installs into ./.venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEV_KEY := .scrubber-dev.key

.PHONY: install run test lint typecheck bench bench-instructions eval test-engines stream-demo clean help

help:
	@echo "make run           install into ./.venv and scrub fixtures/logs into ./sandbox and ./quarantine"
	@echo "make test          install, lint, type-check and run the test suite"
	@echo "make eval          detector recall and benign-kept report on the labelled corpus"
	@echo "make bench         throughput and memory figures (ratios to an orjson ceiling)"
	@echo "make bench-instructions  instructions per record under callgrind (repeatable; needs valgrind)"
	@echo "make test-engines  real Flink cluster, S3 server and Kafka broker tests (installs and starts them)"
	@echo "make stream-demo   Kafka + Flink here: stream the fixtures through scrubber stream, show panes and audits"

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip==26.3"
	$(BIN)/pip install --quiet -c constraints.txt -e '.[beam,presidio,dev]'
	@touch $(STAMP)

$(DEV_KEY): | $(STAMP)
	@$(BIN)/scrubber keygen --out $(DEV_KEY)
	@echo "made a throwaway development key in $(DEV_KEY) (never use it for real data)"

run: $(STAMP) $(DEV_KEY)
	rm -rf sandbox quarantine
	$(BIN)/scrubber run --input 'fixtures/logs/*' --output sandbox --quarantine quarantine \
		--catalogue pseudonymous --key-file $(DEV_KEY)

lint: $(STAMP)
	$(BIN)/ruff check scrubber pipelines tests
	$(BIN)/ruff format --check scrubber pipelines tests fixtures
	$(BIN)/mypy scrubber  # scrubber/pipelines is the link to pipelines/
	$(BIN)/lint-imports --no-cache  # the contracts in pyproject.toml [tool.importlinter]

test: $(STAMP) lint
	$(BIN)/python -m pytest -q

eval: $(STAMP)
	$(BIN)/python -m tests.eval.evaluation

bench: $(STAMP)
	$(BIN)/python -m tests.bench.benchmark

bench-instructions: $(STAMP)
	$(BIN)/python -m tests.bench.benchmark --instructions

test-engines: $(STAMP)
	bash .ci/engines/test-engines.sh

stream-demo: $(STAMP)
	bash .ci/engines/stream-demo.sh

clean:
	rm -rf sandbox quarantine stream-demo bench-out .pytest_cache .mypy_cache .ruff_cache
