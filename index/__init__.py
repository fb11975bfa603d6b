"""The full-text index over transcript segments: derived data, rebuildable from the archive."""
