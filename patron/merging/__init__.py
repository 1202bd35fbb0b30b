"""Merging customers into one survivor, tombstones that point to it, and unmerge."""
