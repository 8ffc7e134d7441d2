"""Activities do all I/O. Each runs at least once, so each side effect is idempotent."""
