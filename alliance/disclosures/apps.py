from django.apps import AppConfig


class DisclosuresConfig(AppConfig):
    name = "alliance.disclosures"
    label = "disclosures"
    verbose_name = "Mandated reports and accounting of disclosures"
