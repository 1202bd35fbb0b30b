from django.db import models


class RateCount(models.Model):
    """Requests counted in one window of the rate limit (``ops.ratelimit``), in the database that
    every server shares. ``key`` names what is counted and the window; a row outlives its window by
    little: expired ones are deleted now and then."""

    key = models.CharField(max_length=120, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.FloatField(help_text="Unix time at which the window ends.", db_index=True)
