"""The settings row and the default price levels A, B and C."""

from django.db import migrations


def create_defaults(apps, schema_editor):
    CustomerSettings = apps.get_model("customers", "CustomerSettings")
    PriceLevel = apps.get_model("customers", "PriceLevel")
    CustomerSettings.objects.get_or_create(pk=1)
    if not PriceLevel.objects.exists():
        for position, code in enumerate("ABC"):
            PriceLevel.objects.create(code=code, name=f"Price level {code}", position=position,
                                      is_default=(code == "A"))


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]
    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
