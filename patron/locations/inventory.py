"""Privacy classification of this app's fields (see patron/privacy/inventory.py): the shop's own places."""

FIELDS = {
    "Location.id": "operational",
    "Location.uuid": "operational",
    "Location.code": "operational",
    "Location.name": "operational",
    "Location.kind": "operational",
    "Location.parent": "operational",
    "Location.is_active": "operational",
    "Location.country": "operational",
    "Location.time_zone": "operational",
    "Location.effective_country": "operational",
    "Location.effective_time_zone": "operational",
    "LocationGroup.id": "operational",
    "LocationGroup.uuid": "operational",
    "LocationGroup.name": "operational",
    "LocationGroup.is_default": "operational",
    "LocationGroup.locations": "operational",
    "Coverage.id": "operational",
    "Coverage.location": "operational",
    "Coverage.group": "operational",
}
