"""sitemap.xml: an index of the site's pages and every trial's page (50,000 URLs a file)."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Trial


class PagesSitemap(Sitemap):
    def items(self) -> list[str]:
        return ["catalogue:trial_list", "catalogue:landscape", "catalogue:data", "api:docs"]

    def location(self, item: str) -> str:
        return reverse(item)


class TrialSitemap(Sitemap):
    def items(self):
        return Trial.objects.order_by("registry_id").only("registry_id", "last_update")

    def location(self, trial: Trial) -> str:
        return reverse("catalogue:trial_detail", args=[trial.registry_id])

    def lastmod(self, trial: Trial):
        return trial.last_update


SITEMAPS = {"pages": PagesSitemap, "trials": TrialSitemap}
