"""Finding customers that are likely the same: the warning at entry, the scan, the review queue."""
