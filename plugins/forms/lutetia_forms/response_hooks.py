"""Processing responses in the back office (see admin_responses.py)."""
