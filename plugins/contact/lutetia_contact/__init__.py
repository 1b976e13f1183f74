"""Contact: a Lutetia plugin."""
