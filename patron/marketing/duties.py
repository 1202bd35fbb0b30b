"""The newsletter's periodic duty: consent and segments synced with Mailchimp, when connected."""

from datetime import timedelta

from patron.core.actors import system_actor
from patron.core.errors import Refused
from patron.jobs.registry import duty
from patron.marketing.mailchimp import mailchimp_config
from patron.marketing.newsletter import sync_newsletter


@duty("newsletter.sync", every=timedelta(hours=1))
def sync_newsletter_hourly(job) -> None:
    try:
        mailchimp_config()
    except Refused:  # not connected: nothing to sync, and nothing wrong
        return
    sync_newsletter(actor=system_actor("newsletter sync"))
