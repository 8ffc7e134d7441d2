"""Cross-cutting pieces every process shares: settings, the Temporal client, search attributes, logs."""
