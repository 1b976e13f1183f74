"""Signals Appointments sends (site-scoped: only plugins on for the site receive them).

Each is sent in the use case's transaction, after the change; receivers return nothing.
"""

from lutetia.plugins import SiteSignal

#: An appointment was booked (by the citizen or an agent). Arguments: ``site``,
#: ``appointment``, ``actor`` (the user who booked, or None).
appointment_booked = SiteSignal()

#: A booked appointment was cancelled. Arguments: ``site``, ``appointment``, ``actor``,
#: ``by_citizen``.
appointment_cancelled = SiteSignal()

#: A booked appointment was moved. Arguments: ``site``, ``appointment``, ``actor``,
#: ``previous`` ({"starts_at": ISO time, "agenda": id}).
appointment_moved = SiteSignal()
