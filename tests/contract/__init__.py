"""Contract tests: the fake toolchain does what the real tools do (FACTS.md sections 4 to 8)."""
