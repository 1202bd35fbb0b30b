"""Days as the shop sees them: in the current time zone (the staff user's store's on a
back-office page, else the installation's)."""

from __future__ import annotations

import datetime

from django.utils import timezone


def start_of_day(day: datetime.date) -> datetime.datetime:
    """The first moment of ``day`` in the current time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
