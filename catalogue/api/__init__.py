"""The read-only open-data API (/api/v1/), built on Django REST framework and drf-spectacular."""
