"""How each stored field of the transfer app is classified (see patron/privacy)."""

FIELDS = {
    **{f"ImportJob.{name}": "operational" for name in (
        "id", "uuid", "file_path", "file_name", "file_format", "encoding", "delimiter", "profile", "mapping",
        "match_key", "channel_code", "batch_size", "status", "total_rows", "processed_rows", "committed_rows",
        "batches_committed", "created_count", "updated_count", "unchanged_count", "rejected_count", "error",
        "strict", "warning_count",
        "created_by", "actor_label", "worker_pid", "worker_host", "created_at", "started_at", "finished_at",
        "updated_at")},
    # The dry run's report quotes the file's cells in its messages; a row's "before" holds a customer's values.
    "ImportJob.check_report": "personal",
    **{f"ImportRow.{name}": "operational" for name in ("id", "job", "row_number", "line", "outcome", "customer")},
    "ImportRow.before": "personal",
    "ImportRow.problems": "personal",
    "ImportRow.warnings": "personal",  # the phone or e-mail left out, as the file had it
    **{f"SavedMapping.{name}": "operational" for name in (
        "id", "name", "mapping", "match_key", "channel_code", "created_at")},
}
