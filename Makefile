# homectl — the two commands a fresh machine needs are `make run` and `make test`.
BUILD      ?= build
JOBS       ?= 2
PREFIX     ?= /usr/local
DESTDIR    ?=
CMAKE_ARGS ?=
CONFIG     ?=
SANITIZE_BUILD ?= build-asan

CXX_SOURCES = $(shell git ls-files '*.cpp' '*.hpp' 2>/dev/null || find cmd include src tests bench -name '*.[ch]pp')

.PHONY: all deps build run test test-sanitize bench format lint install clean

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) $(CMAKE_ARGS)

build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

run: deps build
	./$(BUILD)/homectl serve $(if $(CONFIG),--config $(CONFIG))

test: deps build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer.
test-sanitize: deps
	cmake -S . -B $(SANITIZE_BUILD) -DCMAKE_BUILD_TYPE=Debug -DHOMECTL_SANITIZE=address,undefined $(CMAKE_ARGS)
	cmake --build $(SANITIZE_BUILD) -j$(JOBS)
	cd $(SANITIZE_BUILD) && ctest --output-on-failure -j$(JOBS)

# homectl serve vs nginx on /live (wrk; server and load generator on separate cores).
bench: build
	bash bench/run.sh ./$(BUILD)/homectl

format:
	clang-format -i $(CXX_SOURCES)

lint: $(BUILD)/CMakeCache.txt
	clang-format --dry-run --Werror $(CXX_SOURCES)
	cmake --build $(BUILD) -j$(JOBS) --target homectl
	bash scripts/clang-tidy.sh $(BUILD)

install: build
	DESTDIR=$(DESTDIR) cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD) $(SANITIZE_BUILD)
