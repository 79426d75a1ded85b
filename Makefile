# scaleface: every target that builds or runs installs missing system packages first.
SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)

SWIFT ?= swift
BIN_DEBUG := .build/debug/scaleface
BIN := .build/release/scaleface

.PHONY: setup build release test demo bench clean

setup:
	@tools/setup.sh

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release --product scaleface

test: setup
	tools/pyenv.sh numpy h5py >/dev/null
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

demo: release
	tools/demo.sh $(BIN)

bench: release
	tools/bench/run.sh $(BIN)

clean:
	rm -rf .build out
