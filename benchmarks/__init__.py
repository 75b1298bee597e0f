"""Benchmarks of llmd-sim's own speed and cost, run in the fake world of tests/fakeworld (issue 7).

Entry point: `python benchmarks/run.py --help`.
"""
