# Opsroom: two commands for a newcomer, a few more for developers. See README.md.
.PHONY: run test bench fmt lint

## Build and serve Opsroom with demo data (installs what is missing first).
run:
	@scripts/run.sh

## Run every test layer against fresh databases.
test:
	@scripts/test.sh

## Measure build, start-up, memory, WASM size and latency (README "Measurements").
bench:
	@scripts/bench.sh

fmt:
	cargo fmt --all

lint:
	cargo fmt --all --check
	cargo clippy -p app --features ssr --all-targets -- -D warnings
	cargo clippy -p server --all-targets -- -D warnings
	cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings
