# One target per task a person runs. `make run` and `make test` set everything up themselves.
PY := .venv/bin/python
PYTEST := $(PY) -m pytest -p no:pytest_nameko
PROTOS := $(shell find protos -name '*.proto')

.PHONY: setup run stop status test test-unit test-service test-integration bench bench-seal bench-pipeline bench-ocr eval-extraction protos lint k8s-validate clean

setup:
	@bash scripts/setup.sh

protos:
	@$(PY) -m grpc_tools.protoc -Iprotos --python_out=lib --pyi_out=lib --grpc_python_out=lib $(PROTOS)

run: setup
	@.venv/bin/jefacture platform start
	@.venv/bin/jefacture demo

stop:
	@.venv/bin/jefacture platform stop || true
	@bash scripts/infra.sh down

status:
	@bash scripts/infra.sh status || true
	@.venv/bin/jefacture platform status

test: setup
	@$(PYTEST) -q lib services tests

test-unit: setup
	@$(PYTEST) -q -m "not service and not integration" lib services tests

test-service: setup
	@$(PYTEST) -q -m service services

test-integration: setup
	@$(PYTEST) -q tests/integration

bench: bench-seal bench-pipeline bench-ocr

bench-seal: setup
	@.venv/bin/jefacture bench-seal --documents $${N:-100}

bench-pipeline: setup
	@.venv/bin/jefacture bench-pipeline --invoices $${N:-100}

bench-ocr: setup
	@.venv/bin/python -m jefacture_ocr.bench_ocr --pages $${N:-8}

eval-extraction: setup
	@OCR_WORKERS=$${WORKERS:-2} .venv/bin/python -m jefacture.extraction_eval --workers $${WORKERS:-2} $(if $(N),--limit $(N))

lint: setup
	@.venv/bin/ruff check lib services tests conftest.py deploy

k8s-validate:
	@bash scripts/k8s-validate.sh

clean: stop
	rm -rf var .venv
