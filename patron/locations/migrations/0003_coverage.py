"""The groups covering each location as rows (Coverage), filled from the hierarchy and the groups."""

import django.db.models.deletion
from django.db import migrations, models

from patron.locations.coverage import stored_covering_pairs


def fill_coverage(apps, schema_editor):
    Coverage = apps.get_model("locations", "Coverage")
    pairs = stored_covering_pairs(apps.get_model("locations", "Location"), apps.get_model("locations", "LocationGroup"))
    Coverage.objects.bulk_create([Coverage(location_id=location_id, group_id=group_id)
                                  for location_id, group_id in sorted(pairs)])


class Migration(migrations.Migration):

    dependencies = [
        ('locations', '0002_default_locations'),
    ]

    operations = [
        migrations.CreateModel(
            name='Coverage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('group', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='coverage', to='locations.locationgroup')),
                ('location', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='coverage', to='locations.location')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('location', 'group'), name='coverage_location_group_unique')],
            },
        ),
        migrations.RunPython(fill_coverage, migrations.RunPython.noop),
    ]
