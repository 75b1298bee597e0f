"""End to end: the llmd-sim CLI as a subprocess against the fake world (DESIGN.md test layer 3)."""
