"""The candidate journey's process: one definition (``definition``), the vocabulary it is
written in (``spec``), the checks and field updates of each action (``rules``) and the
engine that applies an action to a journey's state (``engine``). Pure code: no Temporal,
no I/O, unit-tested without a server."""
