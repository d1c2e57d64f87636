"""Statistics are computed from calls; this app has no tables of its own yet."""
