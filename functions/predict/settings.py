"""The function's configuration, read from its environment once per container, on first use.

Nothing reads the environment at import, so tests configure the function the way Lambda does
(environment variables) and call ``get_settings.cache_clear()`` between configurations.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache

ANY_ORIGIN = "*"
# The template's EndpointName default, for local runs that set no ENDPOINT_NAME.
DEFAULT_ENDPOINT_NAME = "iris-endpoint"


@dataclass(frozen=True)
class Settings:
    endpoint_name: str
    allowed_origins: tuple[str, ...]
    # The production variants a caller may ask for by name; empty: callers cannot choose.
    selectable_variants: tuple[str, ...] = ()

    @property
    def allows_any_origin(self) -> bool:
        return self.allowed_origins == (ANY_ORIGIN,)


@cache
def get_settings() -> Settings:
    return Settings(
        endpoint_name=os.environ.get("ENDPOINT_NAME", DEFAULT_ENDPOINT_NAME),
        allowed_origins=_names(os.environ.get("ALLOWED_ORIGINS", ANY_ORIGIN)) or (ANY_ORIGIN,),
        selectable_variants=_names(os.environ.get("SELECTABLE_VARIANTS", "")),
    )


def _names(comma_separated: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in comma_separated.split(",") if name.strip())
