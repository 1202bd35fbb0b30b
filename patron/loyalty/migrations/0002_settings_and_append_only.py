from django.db import migrations

from patron.core.db import append_only_operation


def create_defaults(apps, schema_editor):
    apps.get_model("loyalty", "LoyaltySettings").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("loyalty", "0001_initial")]
    operations = [
        migrations.RunPython(create_defaults, migrations.RunPython.noop),
        append_only_operation("loyalty_pointsentry"),
    ]
