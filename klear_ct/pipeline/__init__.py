"""The G-V stages as plain functions over records."""
