from django.apps import AppConfig


class IdempotencyConfig(AppConfig):
    name = "alliance.idempotency"
    label = "idempotency"
    verbose_name = "Submissions stored once"
