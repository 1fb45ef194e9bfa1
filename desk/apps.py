from django.apps import AppConfig


class DeskConfig(AppConfig):
    """The curators' desk: the admin over the catalogue, reaching ingest through ingest.service."""

    name = "desk"
    verbose_name = "Curators' desk"
