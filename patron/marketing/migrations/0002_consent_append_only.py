from django.db import migrations

from patron.core.db import append_only_operation


class Migration(migrations.Migration):
    dependencies = [("marketing", "0001_initial")]
    operations = [append_only_operation("marketing_consentevent")]
