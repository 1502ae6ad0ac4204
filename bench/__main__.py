"""make bench: every benchmark, printed as figures and side-by-side ratios."""

from __future__ import annotations

import platform

from bench import handler_cost, model_latency


def main() -> None:
    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}")
    model_latency.run()
    handler_cost.run()


if __name__ == "__main__":
    main()
