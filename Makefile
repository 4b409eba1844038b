# The two commands of the README's quick start. Each installs what it needs, idempotently.
.PHONY: test demo build

# The whole test suite against real peers (tools/test says what it does).
test:
	tools/test

# Builds the project without the test ground.
build:
	tools/install-deps
	cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build build -j $$(nproc)

demo:
	@echo "make demo: the bootstrap quick start (examples/quickstart) arrives with the bootstrap work." >&2
	@exit 2
