from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "alliance.clients"
    label = "clients"
    verbose_name = "Client registry"
