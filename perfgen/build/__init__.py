"""Building: plan, cache, workers, and moving the outputs into place all or nothing."""
