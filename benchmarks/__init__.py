"""Benchmarks for shaderviz (not tests): ``python -m benchmarks.run``; see README.md."""
