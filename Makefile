# mox-cpp: two commands on a fresh Debian 12 machine.
#   make run   install dependencies, build, write ./local/ config, start servers
#   make test  install dependencies, build (ASan+UBSan), run every test (CTest)

BUILD ?= build
FUZZBUILD ?= build-fuzz
PREFIX ?= /usr/local
JOBS ?= 2
FUZZ_SECONDS ?= 20
LOCAL ?= local
CMAKE_FLAGS ?= -DMOX_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug

.PHONY: all deps build run stop test unit fuzz install clean

all: build

deps:
	@./scripts/install-deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

run: build
	@./scripts/run-local.sh $(BUILD) $(LOCAL)

stop:
	@./scripts/stop-local.sh $(LOCAL)

test: build
	ctest --test-dir $(BUILD) -j $(JOBS) --output-on-failure --timeout 900
	$(MAKE) fuzz

unit: build
	ctest --test-dir $(BUILD) -j $(JOBS) --output-on-failure -R '^[A-Z]'

# libFuzzer targets (clang), each run briefly on its seed corpus.
fuzz: deps
	@if ls fuzz/*_fuzz.cc >/dev/null 2>&1; then \
	  CXX=clang++ cmake -S . -B $(FUZZBUILD) -G Ninja -DMOX_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null && \
	  cmake --build $(FUZZBUILD) -j $(JOBS) && \
	  ./scripts/run-fuzzers.sh $(FUZZBUILD) $(FUZZ_SECONDS); \
	fi

install:
	cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=$(PREFIX)
	cmake --build build-release -j $(JOBS)
	cmake --install build-release

clean:
	rm -rf $(BUILD) $(FUZZBUILD) build-release
