# The front door. `make run` and `make test` each work on a fresh Debian 12 machine: they install what is
# missing, build, start the local stack and go. See README.md and docs/operations.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

BUILD_RELEASE := build/release
BUILD_ASAN    := build/asan
JOBS          ?= $(shell nproc)

.PHONY: help deps build build-asan run test stack-up stack-down stack-status migrate bench format clean fuzz

help:
	@echo "make run           install, build (release), start the local stack, migrate, load demo data, serve on 127.0.0.1:8080"
	@echo "make test          install, build (ASan+UBSan), start a separate test stack, run every test, stop it"
	@echo "make stack-up | stack-down | stack-status    the local stack of 'make run' (INSTANCE=test for the test one)"
	@echo "make bench         build release and print the benchmark figures (docs/benchmarks.md)"
	@echo "make format        clang-format every C++ file"
	@echo "make fuzz          build the libFuzzer targets (clang) and run them FUZZ_SECONDS (default 60) (docs/fuzzing.md)"

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD_RELEASE) -G Ninja -DCMAKE_BUILD_TYPE=Release -DCINEREC_BUILD_TESTS=OFF >/dev/null
	@ninja -C $(BUILD_RELEASE) -j$(JOBS) cinerec_cli

build-asan: deps
	@cmake -S . -B $(BUILD_ASAN) -G Ninja -DCMAKE_BUILD_TYPE=Asan -DCINEREC_BUILD_BENCH=OFF >/dev/null
	@ninja -C $(BUILD_ASAN) -j$(JOBS)

run:
	@scripts/run.sh

test:
	@scripts/test.sh

INSTANCE ?= run
stack-up: deps
	@scripts/stack.sh up --instance $(INSTANCE)
stack-down:
	@scripts/stack.sh down --instance $(INSTANCE)
stack-status:
	@scripts/stack.sh status --instance $(INSTANCE)

migrate: build stack-up
	@source .local/$(INSTANCE)/env.sh && $(BUILD_RELEASE)/bin/cinerec migrate

bench:
	@scripts/bench.sh

FUZZ_SECONDS ?= 60
fuzz: deps
	@fuzz/run.sh $(FUZZ_SECONDS)

format:
	@find src tests bench -name '*.cpp' -o -name '*.h' | xargs clang-format -i

clean:
	rm -rf build
