from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "alliance.staff"
    label = "staff"
    verbose_name = "Staff, licenses and supervision"
