"""The function's configuration: the one owner of its environment variables, their defaults, and
how their values are read and written.

Lambda configures the function with environment variables (template.yaml's Environment block).
The function reads them once per container, on first use (``get_settings``), so nothing reads the
environment at import, and tests call ``get_settings.cache_clear()`` between configurations.
Everything local that configures the function (the local stack, `make invoke`,
sam-local-env.json) writes the variables with ``Settings.environment()``, and the infrastructure
tests check the template's Environment block and parameter defaults against this module.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

ANY_ORIGIN = "*"
# The template's EndpointName default, for local runs that set no endpoint name.
DEFAULT_ENDPOINT_NAME = "iris-endpoint"
# The variables, named once; the values are read from them as written by Settings.environment().
ENDPOINT_NAME = "ENDPOINT_NAME"
ALLOWED_ORIGINS = "ALLOWED_ORIGINS"  # comma-separated origins, or *
SELECTABLE_VARIANTS = "SELECTABLE_VARIANTS"  # comma-separated variant names; empty: none
SEPARATOR = ","


@dataclass(frozen=True)
class Settings:
    endpoint_name: str = DEFAULT_ENDPOINT_NAME
    allowed_origins: tuple[str, ...] = (ANY_ORIGIN,)
    # The production variants a caller may ask for by name; empty: callers cannot choose.
    selectable_variants: tuple[str, ...] = ()

    @property
    def allows_any_origin(self) -> bool:
        return self.allowed_origins == (ANY_ORIGIN,)

    @classmethod
    def from_environment(cls, environment: Mapping[str, str]) -> Settings:
        """The settings the variables in ``environment`` give, with the defaults for those unset."""
        return cls(
            endpoint_name=environment.get(ENDPOINT_NAME, DEFAULT_ENDPOINT_NAME),
            allowed_origins=names(environment.get(ALLOWED_ORIGINS, "")) or (ANY_ORIGIN,),
            selectable_variants=names(environment.get(SELECTABLE_VARIANTS, "")),
        )

    def environment(self) -> dict[str, str]:
        """The variables that configure a function with these settings."""
        return {
            ENDPOINT_NAME: self.endpoint_name,
            ALLOWED_ORIGINS: SEPARATOR.join(self.allowed_origins),
            SELECTABLE_VARIANTS: SEPARATOR.join(self.selectable_variants),
        }


def names(comma_separated: str) -> tuple[str, ...]:
    """The names in a comma-separated list, with blanks around them and empty entries left out."""
    return tuple(name.strip() for name in comma_separated.split(SEPARATOR) if name.strip())


@cache
def get_settings() -> Settings:
    return Settings.from_environment(os.environ)
