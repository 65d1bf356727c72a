from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "alliance.organisation"
    label = "organisation"
    verbose_name = "Organization and programs"
