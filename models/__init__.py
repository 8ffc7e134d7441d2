"""Typed data shared by workflows, activities and the starter (pydantic v2, sandbox-safe)."""
