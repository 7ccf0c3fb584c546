.PHONY: test lint docs bench sample

test:
	pytest

lint:
	ruff check src tests scripts bench
	ruff format --check src tests scripts bench
	mypy src

docs:
	python scripts/render_docs.py

sample:
	python scripts/make_sample.py

bench:
	python bench/bench_segment.py
