"""make bench: every benchmark, printed as figures and side-by-side ratios."""

from __future__ import annotations

import platform

from bench import model_latency


def main() -> None:
    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}")
    model_latency.run()


if __name__ == "__main__":
    main()
