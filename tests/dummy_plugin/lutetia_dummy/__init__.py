"""A test-only plugin: discovery, metadata, URLs, models, site-scoped signals, a registry entry."""
