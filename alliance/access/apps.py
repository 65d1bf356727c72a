from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "alliance.access"
    label = "access"
    verbose_name = "Care teams and access"
