from django.apps import AppConfig


class DiagnosesConfig(AppConfig):
    name = "alliance.diagnoses"
    label = "diagnoses"
    verbose_name = "Diagnoses and problem list"
