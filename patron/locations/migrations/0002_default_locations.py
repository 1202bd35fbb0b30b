"""A fresh install gets one company, one store and a default group covering them, so customers
can be created at once. Admins rename or extend them in Settings > Locations."""

from django.db import migrations


def create_defaults(apps, schema_editor):
    Location = apps.get_model("locations", "Location")
    LocationGroup = apps.get_model("locations", "LocationGroup")
    if Location.objects.exists():
        return
    company = Location.objects.create(code="HQ", name="Head office", kind="company")
    Location.objects.create(code="S01", name="Main store", kind="store", parent=company)
    group = LocationGroup.objects.create(name="All stores", is_default=True)
    group.locations.add(company)


class Migration(migrations.Migration):
    dependencies = [("locations", "0001_initial")]
    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
