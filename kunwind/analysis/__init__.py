"""Analysis: failure checks and error exits, per-function summaries, the path walk."""
