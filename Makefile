# scaleface: every target that builds or runs installs missing system packages first.
SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)

SWIFT ?= swift
BIN_DEBUG := .build/debug/scaleface
BIN := .build/release/scaleface

.PHONY: setup build release test demo quick ijbc bench parity clean

setup:
	@tools/setup.sh

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release --product scaleface

test: setup
	tools/pyenv.sh numpy h5py >/dev/null
	$(SWIFT) build --build-tests
	# The suite is XCTest; without Swift Testing's empty run the last line is XCTest's summary.
	$(SWIFT) test --skip-build --disable-swift-testing

demo: release
	tools/demo.sh $(BIN)

# The seconds-long pipeline without pictures (synthetic embeddings into a store).
quick: release
	$(BIN) run pipelines/quick.yaml

# Real IJB-C: make ijbc IJBC=/data/IJB-C CHECKPOINT=/models/backbone.pth [ARCH=iresnet50]
IJBC ?= /data/IJB-C
CHECKPOINT ?= /models/backbone.pth
ARCH ?= iresnet50
ijbc: release
	$(BIN) run pipelines/ijbc.yaml --set ijbc=$(IJBC) --set checkpoint=$(CHECKPOINT) --set arch=$(ARCH)

bench: release
	tools/bench/run.sh $(BIN)

# Outside CI: full-size iResNet-50/100 with random weights against PyTorch (installs PyTorch
# into the project venv on first use; the checkpoints go to .build/parity).
parity: setup
	py=$$(tools/pyenv.sh torch numpy) && $$py tools/parity/full_size.py .build/parity
	SCALEFACE_PARITY_DIR=$(CURDIR)/.build/parity $(SWIFT) test -c release -Xswiftc -enable-testing \
		--filter BackboneTests.FullSizeParityTests 2>&1 | grep -E "^parity|error|Executed [0-9]+ tests?,"

clean:
	rm -rf .build out
