from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "catalogue"
    verbose_name = "Trial catalogue"

    def ready(self) -> None:
        from . import lookups  # noqa: F401  (registers the `any` lookup)
