"""llmd-sim: llm-d's simulated-accelerators guide, end to end, on a laptop."""

__version__ = "0.1.0"
