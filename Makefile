# A thin wrapper: installs what is missing, then drives CMake and CTest.
# `make run` starts bindscope; `make test` runs every test.

BUILD ?= build
CMAKE_ARGS ?=
MAKEFLAGS += --no-print-directory
# `make run` starts the TUI; ARGS="list", ARGS="probe --open 0.0.0.0:8081" run a subcommand.
ARGS ?=
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all deps configure build run test clean format

all: build

deps:
	@sh .ci/deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_ARGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	@[ -n "$(ARGS)" ] || echo "bindscope: in a private practice network: make run ARGS=lab; with the guided tour: make run ARGS='lab --tour'"
	./$(BUILD)/bindscope $(ARGS)

test: build
	@sh .ci/deps.sh test
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) build-*
