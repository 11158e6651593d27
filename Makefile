# homectl — the two commands a fresh machine needs are `make run` and `make test`.
BUILD      ?= build
JOBS       ?= 2
PREFIX     ?= /usr/local
DESTDIR    ?=
CMAKE_ARGS ?=
CONFIG     ?=
SANITIZE_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=

CXX_SOURCES = $(shell git ls-files '*.cpp' '*.hpp' 2>/dev/null || find cmd include src tests bench -name '*.[ch]pp')

.PHONY: all deps test-deps build run test test-sanitize fuzz fuzz-smoke bench bench-profile format lint install clean

all: build

deps:
	@bash scripts/install-deps.sh

# The tests also need chromium, node and npm (the status page's browser test).
test-deps:
	@bash scripts/install-deps.sh --browser

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) $(CMAKE_ARGS)

build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

run: deps build
	./$(BUILD)/homectl serve $(if $(CONFIG),--config $(CONFIG))

test: test-deps build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer.
test-sanitize: test-deps
	cmake -S . -B $(SANITIZE_BUILD) -DCMAKE_BUILD_TYPE=Debug -DHOMECTL_SANITIZE=address,undefined $(CMAKE_ARGS)
	cmake --build $(SANITIZE_BUILD) -j$(JOBS)
	cd $(SANITIZE_BUILD) && ctest --output-on-failure -j$(JOBS)

# libFuzzer (clang, ASan+UBSan) on every input parser, FUZZ_SECONDS each, in
# its own build tree; seeds in tests/fuzz/corpus/, findings in $(FUZZ_BUILD)/artifacts/.
fuzz:
	JOBS=$(JOBS) bash scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# The brief run CI does: 10 s per target.
fuzz-smoke:
	JOBS=$(JOBS) bash scripts/fuzz.sh $(FUZZ_BUILD) 10 $(FUZZ_TARGETS)

# The performance report: homectl vs nginx (wrk; servers and load generator on
# separate cores), memory, start-to-ready and size → bench/results/latest.md.
# DURATION=10s per measurement (e.g. `make bench DURATION=2s` for a quick run).
bench: build
	DURATION=$(or $(DURATION),10s) bash bench/report.sh ./$(BUILD)/homectl

# Instructions per request of /live and a cached GET under callgrind.
bench-profile: build
	bash bench/profile.sh ./$(BUILD)/homectl

format:
	clang-format -i $(CXX_SOURCES)

lint: $(BUILD)/CMakeCache.txt
	clang-format --dry-run --Werror $(CXX_SOURCES)
	cmake --build $(BUILD) -j$(JOBS) --target homectl
	bash scripts/clang-tidy.sh $(BUILD)

install: build
	DESTDIR=$(DESTDIR) cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD) $(SANITIZE_BUILD) $(FUZZ_BUILD)
