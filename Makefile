# The project's commands: `make test`, `make demo`, `make bench`.
.PHONY: test demo bench kill-test

test:
	scripts/test

demo:
	scripts/demo

# Every benchmark against its baseline in one run; writes BENCHMARKS.md (a few minutes).
bench:
	scripts/setup
	.venv/bin/python benchmarks/report.py

# SIGKILL at random moments, at least 50 times; every checkpoint verified, bits equal.
kill-test:
	scripts/kill-test
