"""How each stored field of the jobs app is classified (see patron/privacy). A job's arguments are
ids and switches, never a customer's values; its error is the duty's exception message."""

FIELDS = {
    **{f"Job.{name}": "operational" for name in (
        "id", "uuid", "duty", "arguments", "status", "key", "run_after", "attempts", "max_attempts", "worker",
        "heartbeat_at", "created_at", "started_at", "finished_at", "error")},
    **{f"PeriodicDuty.{name}": "operational" for name in ("duty", "next_run_at", "last_enqueued_at")},
}
