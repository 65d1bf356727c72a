from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "alliance.assessments"
    label = "assessments"
    verbose_name = "Measures and questionnaires"
