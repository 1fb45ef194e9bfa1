"""One parser module per source format; `ingest.detect` picks the module for a page.

Each module exposes `FORMAT` (its name), `looks_like(text) -> bool` and
`parse(text) -> ParsedTrial`. Parsers are pure: cleaned page text in, dataclasses out.
"""
