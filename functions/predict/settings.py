"""The function's configuration, read from its environment once per container."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Settings:
    endpoint_name: str
    allowed_origins: tuple[str, ...]


@cache
def get_settings() -> Settings:
    origins = tuple(o.strip() for o in os.environ.get("ALLOWED_ORIGINS", "*").split(",") if o.strip())
    return Settings(
        endpoint_name=os.environ.get("ENDPOINT_NAME", "iris-endpoint"),
        allowed_origins=origins or ("*",),
    )
