"""The curators' admin: trials with every child row inline, the review queue, readers' error
reports, sponsors, sources, registry syncs."""

from django.contrib import admin

from . import identity, reports, review, sources, sponsors, sync, trials  # noqa: F401  (registration happens on import)

admin.site.site_header = "MSC–Diabetes catalogue: curation"
admin.site.site_title = "Catalogue curation"
