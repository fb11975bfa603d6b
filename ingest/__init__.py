"""The ingest pipeline: recording → playable media and audio → transcript → archive."""
