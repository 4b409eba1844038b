// The one translation unit that holds Catch2's test runner for every unit-test executable.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
