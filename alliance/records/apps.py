from django.apps import AppConfig


class RecordsConfig(AppConfig):
    """The signed-document kernel: abstract models and services, no tables of its own."""

    name = "alliance.records"
    label = "records"
