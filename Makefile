# homectl — the two commands a fresh machine needs are `make run` and `make test`.
BUILD      ?= build
JOBS       ?= 2
PREFIX     ?= /usr/local
DESTDIR    ?=
CMAKE_ARGS ?=
CONFIG     ?=
SANITIZE_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
SOAK_MINUTES ?= 10

CXX_SOURCES = $(shell git ls-files '*.cpp' '*.hpp' 2>/dev/null || find cmd include src tests bench -name '*.[ch]pp')

.PHONY: all deps test-deps build run test test-sanitize test-tsan fuzz fuzz-smoke bench bench-profile bench-limiter bench-revalidate bench-history soak \
        format format-check lint install package clean

all: build

# What building and running need; `make test` adds the test stack.
deps:
	@bash scripts/install-deps.sh

# The tests also need chromium, node and npm (the status page's browser test).
test-deps:
	@bash scripts/install-deps.sh --test --browser

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) $(CMAKE_ARGS)

build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

run: deps build
	./$(BUILD)/homectl serve $(if $(CONFIG),--config $(CONFIG))

# Configured again: a tree first configured by `make run` (no GoogleTest
# yet) picks up the tests now that test-deps installed it.
test: test-deps
	cmake -S . -B $(BUILD) $(CMAKE_ARGS)
	cmake --build $(BUILD) -j$(JOBS)
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

# AddressSanitizer + UndefinedBehaviorSanitizer, with LeakSanitizer: the unit
# suite built sanitized, and the integration suite (built once, in $(BUILD))
# driving a sanitized homectl; a report from any process (daemons included)
# fails it.
test-sanitize: test-deps build
	cmake -S . -B $(SANITIZE_BUILD) -DCMAKE_BUILD_TYPE=Debug -DHOMECTL_SANITIZE=address,undefined $(CMAKE_ARGS)
	cmake --build $(SANITIZE_BUILD) -j$(JOBS) --target homectl homectl_unit_tests
	bash scripts/sanitized-run.sh $(abspath $(SANITIZE_BUILD))/sanitizer-reports sh -c '\
	  cd $(SANITIZE_BUILD) && ctest --output-on-failure -L unit && cd $(CURDIR)/$(BUILD) && \
	  HOMECTL_TEST_BINARY=$(abspath $(SANITIZE_BUILD))/homectl ctest --output-on-failure -j$(JOBS) -L integration'

# The multi-threaded server under ThreadSanitizer: the integration suite
# drives a TSan build of homectl running two event-loop threads. -O1, as the
# TSan documentation suggests: fast enough to run, quicker to build than -O2.
test-tsan: test-deps build
	cmake -S . -B $(TSAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHOMECTL_SANITIZE=thread \
	  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g -DNDEBUG" -DHOMECTL_TESTS=OFF $(CMAKE_ARGS)
	cmake --build $(TSAN_BUILD) -j$(JOBS) --target homectl
	cd $(BUILD) && HOMECTL_TEST_BINARY=$(abspath $(TSAN_BUILD))/homectl HOMECTL_TEST_THREADS=2 \
	  bash $(CURDIR)/scripts/sanitized-run.sh $(abspath $(TSAN_BUILD))/sanitizer-reports \
	  ctest --output-on-failure -j$(JOBS) -L integration

# libFuzzer (clang, ASan+UBSan) on every input parser, FUZZ_SECONDS each, in
# its own build tree; seeds in tests/fuzz/corpus/, findings in $(FUZZ_BUILD)/artifacts/.
fuzz:
	@bash scripts/install-deps.sh --fuzz
	JOBS=$(JOBS) bash scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# The brief run CI does: 10 s per target.
fuzz-smoke:
	@bash scripts/install-deps.sh --fuzz
	JOBS=$(JOBS) bash scripts/fuzz.sh $(FUZZ_BUILD) 10 $(FUZZ_TARGETS)

# The performance report: homectl vs nginx (wrk; servers and load generator on
# separate cores), memory, start-to-ready and size → bench/results/latest.md.
# DURATION=10s per measurement (e.g. `make bench DURATION=2s` for a quick run).
bench: build
	@bash scripts/install-deps.sh --bench
	DURATION=$(or $(DURATION),10s) bash bench/report.sh ./$(BUILD)/homectl

# Instructions per request of /live and a cached GET under callgrind.
# Upstream bytes with and without conditional refreshes (a 100 KB file that
# never changes, refreshed every second for a minute) → markdown on stdout.
bench-revalidate: build
	@bash scripts/install-deps.sh --bench
	bash bench/revalidate.sh ./$(BUILD)/homectl

# Memory of the in-memory history at its defaults: 20 sources with 3 values,
# against the same daemon with history off → markdown on stdout.
bench-history: build
	@bash scripts/install-deps.sh --bench
	bash bench/history.sh ./$(BUILD)/homectl

bench-profile: build
	@bash scripts/install-deps.sh --bench
	bash bench/profile.sh ./$(BUILD)/homectl

# CPU time per request of the inbound limiter with its client table full.
bench-limiter: build
	./$(BUILD)/bench/limiter/homectl_limiter_bench

# SOAK_MINUTES of mixed load, Redis restarts and reloads; checks RSS and fds.
soak: build
	@bash scripts/install-deps.sh --bench
	bash scripts/soak.sh ./$(BUILD)/homectl $(SOAK_MINUTES)

format:
	clang-format -i $(CXX_SOURCES)

format-check:
	clang-format --dry-run --Werror $(CXX_SOURCES)

lint: format-check $(BUILD)/CMakeCache.txt
	bash scripts/check-layers.sh
	cmake --build $(BUILD) -j$(JOBS) --target homectl
	bash scripts/clang-tidy.sh

install: build
	DESTDIR=$(DESTDIR) cmake --install $(BUILD) --prefix $(PREFIX)

# The Debian package, $(BUILD)/homectl_<version>_<arch>.deb (CPack, with the
# prefix /usr); then: sudo apt install ./$(BUILD)/homectl_*.deb
package:
	@bash scripts/install-deps.sh --package
	cmake -S . -B $(BUILD) $(CMAKE_ARGS)
	cmake --build $(BUILD) -j$(JOBS) --target homectl
	cd $(BUILD) && cpack -G DEB

clean:
	rm -rf $(BUILD) $(SANITIZE_BUILD) $(FUZZ_BUILD)
