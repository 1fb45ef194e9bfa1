"""/api/v1/: read-only JSON over the same list, filters and trial shape as the HTML pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from ..export import trial_to_dict
from ..facets import facets
from ..filters import echo
from ..listing import Listing
from ..models import Trial
from ..version import catalogue_version, last_change
from . import cursor, params
from .errors import BadParameters
from .serializers import (
    ErrorSerializer,
    FacetsSerializer,
    TrialPageSerializer,
    TrialSerializer,
    VocabulariesSerializer,
)


def answer(serializer, description: str) -> OpenApiResponse:
    return OpenApiResponse(response=serializer, description=description)


# What every endpoint may answer besides its own 200.
COMMON = {
    304: OpenApiResponse(description="Not modified: the catalogue is as it was at your ETag."),
    400: answer(ErrorSerializer, "A parameter it does not take, or a value it cannot use."),
    429: answer(ErrorSerializer, "Too many requests from this address; wait Retry-After seconds."),
}


class CatalogueView(APIView):
    """GET only; every answer carries the catalogue version as ETag and answers 304 when unchanged."""

    http_method_names = ["get", "head", "options"]
    version: tuple | None = None

    def not_modified(self, request) -> HttpResponse | None:
        """Read the catalogue version (before what it guards) and answer 304 if the client has it."""
        self.version = catalogue_version()
        self.changed = last_change()
        return get_conditional_response(
            request,
            etag=self.etag,
            # Whole seconds, as HTTP dates have them: else a client's copy always looks older.
            last_modified=int(self.changed.timestamp()) if self.changed else None,
        )

    @property
    def etag(self) -> str:
        return f'"{cursor.version_tag(self.version)}"'

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.version is not None and response.status_code in (200, 304):
            response["ETag"] = self.etag
            if self.changed:
                response["Last-Modified"] = http_date(int(self.changed.timestamp()))
            # Caches may keep it but must ask again (a cheap 304) before reusing it.
            patch_cache_control(response, public=True, no_cache=True)
        return response


def no_parameters(data: QueryDict) -> None:
    if data:
        raise BadParameters(
            [f"Unknown parameter “{echo(name)}”: this endpoint takes none." for name in data]
        )


class Index(CatalogueView):
    @extend_schema(exclude=True)
    def get(self, request):
        no_parameters(request.GET)
        if response := self.not_modified(request):
            return response
        links = {
            name: request.build_absolute_uri(reverse(f"api:{name}"))
            for name in ("trials", "facets", "vocabularies", "schema", "docs")
        }
        return Response({"catalogue_version": cursor.version_tag(self.version), **links})


class TrialList(CatalogueView):
    @extend_schema(
        operation_id="listTrials",
        summary="Trials",
        description="The trials the HTML list shows for the same parameters, in the same order, "
        "each in the canonical shape. Follow `next` until it is null.",
        parameters=params.openapi_filters() + params.openapi_paging(),
        responses={
            200: answer(TrialPageSerializer, "A page of trials and the link to the next."),
            409: answer(ErrorSerializer, "The catalogue changed since the cursor was made."),
            **COMMON,
        },
    )
    def get(self, request):
        filters = params.filters_only(request.GET)
        listing = Listing(filters, Trial.objects.for_export())
        params.check(request.GET, listing.filterset, paged=True)
        size = params.page_size(request.GET)
        if response := self.not_modified(request):
            return response
        offset = cursor.read(request.GET.get(params.CURSOR), version=self.version, filters=filters)
        trials = listing.trials[offset : offset + size]
        total = listing.counts.total
        return Response(
            {
                "count": total,
                "next": self.next_page(request, filters, offset + size)
                if offset + size < total
                else None,
                "catalogue_version": cursor.version_tag(self.version),
                "results": [trial_to_dict(t) for t in trials],
            }
        )

    def next_page(self, request: HttpRequest, filters: QueryDict, offset: int) -> str:
        query = filters.copy()
        if params.PAGE_SIZE in request.GET:
            query[params.PAGE_SIZE] = request.GET[params.PAGE_SIZE]
        query[params.CURSOR] = cursor.make(offset, version=self.version, filters=filters)
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


class TrialDetail(CatalogueView):
    @extend_schema(
        operation_id="getTrial",
        summary="One trial",
        description="Every section of the trial, with the evidence for each classified value.",
        parameters=[
            OpenApiParameter(
                "registry_id",
                str,
                OpenApiParameter.PATH,
                description="The trial's registry id, such as NCT01219465.",
            )
        ],
        responses={
            200: answer(TrialSerializer, "The trial."),
            404: answer(ErrorSerializer, "No trial has that registry id."),
            **COMMON,
        },
    )
    def get(self, request, registry_id: str):
        no_parameters(request.GET)
        if response := self.not_modified(request):
            return response
        if "\x00" in registry_id:  # Postgres would refuse the lookup; no id holds a NUL
            raise BadParameters(["A registry id holds no NUL character."])
        trial = Trial.objects.for_export().filter(registry_id=registry_id).first()
        if trial is None and (other := Trial.objects.registered_as(registry_id)):
            # Another registration of a trial: the trial, under its canonical registry_id.
            trial = Trial.objects.for_export().get(pk=other.pk)
        if trial is None:
            raise NotFound(f"No trial has the registry id “{echo(registry_id)}”.")
        return Response(trial_to_dict(trial))


class FacetCounts(CatalogueView):
    @extend_schema(
        operation_id="facetCounts",
        summary="Facet counts",
        description="For each facet, the trials per value that pass every other active filter: "
        "the counts beside the HTML list's filters.",
        parameters=params.openapi_filters(),
        responses={200: answer(FacetsSerializer, "Counts per facet value."), **COMMON},
    )
    def get(self, request):
        listing = Listing(request.GET, Trial.objects.all())
        params.check(request.GET, listing.filterset, paged=False)
        if response := self.not_modified(request):
            return response
        groups = facets(listing.filterset, listing.counts)
        return Response(
            {
                "total": listing.counts.total,
                "catalogue_version": cursor.version_tag(self.version),
                "facets": [
                    {
                        "param": f.param,
                        "label": f.label,
                        "options": [
                            {
                                "value": o.value,
                                "label": o.label,
                                "count": o.count,
                                "selected": o.selected,
                            }
                            for o in f.options
                        ],
                    }
                    for f in groups
                ],
            }
        )


class Vocabularies(CatalogueView):
    @extend_schema(
        operation_id="vocabularies",
        summary="Vocabularies",
        description="The values each filter (and `sort`) takes, with their labels.",
        responses={200: answer(VocabulariesSerializer, "Every vocabulary."), **COMMON},
    )
    def get(self, request):
        no_parameters(request.GET)
        if response := self.not_modified(request):
            return response
        return Response({"vocabularies": params.vocabularies()})
