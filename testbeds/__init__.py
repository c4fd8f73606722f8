"""Engines the tests and the benchmark start on loopback, each in its own throwaway folder.

- testbeds.virtuoso: Debian's virtuoso-opensource (virtuoso-t), installed through apt when absent.

Nothing here imports pytest: tests/conftest.py wraps these in fixtures, bench/run.py uses them
directly. Failures are plain exceptions (RuntimeError)."""
