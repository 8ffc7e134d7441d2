"""Durable Temporal workflows, one per case. Deterministic code only: all I/O is in activities."""
