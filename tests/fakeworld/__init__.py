"""The fake world: docker, kind, kubectl, helm, helmfile and git stand-ins sharing one JSON state.

Every fake is a small Python process started from tests/fakeworld/bin; see README.md for the knobs.
Kept empty so that each fake starts fast (nothing is imported here).
"""
