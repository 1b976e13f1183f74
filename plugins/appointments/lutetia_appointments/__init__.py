"""Appointments: a Lutetia plugin."""
