from django.urls import path
from drf_spectacular.views import SpectacularJSONAPIView

from . import docs, views

app_name = "api"
urlpatterns = [
    path("", views.Index.as_view(), name="index"),
    path("trials", views.TrialList.as_view(), name="trials"),
    path("trials/<path:registry_id>", views.TrialDetail.as_view(), name="trial"),
    path("facets", views.FacetCounts.as_view(), name="facets"),
    path("vocabularies", views.Vocabularies.as_view(), name="vocabularies"),
    path("schema", SpectacularJSONAPIView.as_view(), name="schema"),
    path("docs", docs.documentation, name="docs"),
]
