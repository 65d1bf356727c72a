from django.apps import AppConfig


class CrisisConfig(AppConfig):
    name = "alliance.crisis"
    label = "crisis"
    verbose_name = "Crisis episodes and follow-up"
