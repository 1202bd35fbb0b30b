"""How each stored field of the ops app is classified (see patron/privacy). A rate count's key is
a token's prefix or a client address with the window, kept for one window only."""

FIELDS = {f"RateCount.{name}": "operational" for name in ("id", "key", "count", "expires_at")}
