# The two commands of the README's quick start. Each installs what it needs, idempotently.
.PHONY: test demo demo-down build

# The whole test suite against real peers (tools/test says what it does).
test:
	tools/test

# Builds the project without the test ground.
build:
	tools/install-deps
	cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build build -j $$(nproc)

# The quick start: a local control plane and Git server, Flux bootstrapped by `tofu apply` of
# examples/quickstart, an example app synced from Git (tools/demo says what it does). Leaves it running.
demo:
	tools/demo

# Stops what `make demo` left running and removes its state.
demo-down:
	tools/demo down
