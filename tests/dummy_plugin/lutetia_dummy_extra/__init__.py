"""A second test-only plugin: it requires ``dummy`` and is off until an administrator says so."""
