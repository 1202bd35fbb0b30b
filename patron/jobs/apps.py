from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "patron.jobs"
    label = "jobs"
    verbose_name = "Jobs"
