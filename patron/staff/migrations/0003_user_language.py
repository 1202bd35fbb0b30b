from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('staff', '0002_token_prefix_unique'),
    ]

    operations = [
        migrations.AddField(
            model_name='user',
            name='language',
            field=models.CharField(blank=True, default='', max_length=10),
        ),
    ]
