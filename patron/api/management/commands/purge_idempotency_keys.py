from django.core.management.base import BaseCommand

from patron.api.idempotency import purge_expired_records, retention


class Command(BaseCommand):
    help = "Delete stored Idempotency-Key answers older than the retention window (run daily)."

    def handle(self, *args, **options):
        purged = purge_expired_records()
        self.stdout.write(f"Purged {purged} idempotency records older than {retention().days} days.")
