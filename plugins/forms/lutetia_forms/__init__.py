"""Forms: a Lutetia plugin."""
