"""`field__any=[...]`: `field = ANY(%s)` with the list as one array parameter.

Django's `__in` sends one parameter per value and prepares each in Python; for the
thousand ids of an ingest batch that cost more than the query (bench/ingest.py).
"""

from __future__ import annotations

from django.db import models


class Any(models.Lookup):
    lookup_name = "any"

    def get_prep_lookup(self):
        return list(self.rhs)

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, self.rhs]


models.Field.register_lookup(Any)
models.ForeignObject.register_lookup(Any)  # foreign keys keep their own list of lookups
