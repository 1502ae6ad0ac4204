"""`make mutation`: mutmut's own command line, with each mutant named after the module its file is
imported as.

mutmut names a mutant after its file's path from the project root, as if imported from there, so
the name it gives functions/predict/app.py begins with the code folder's. Its trampolines compare
that name with the name of the module the code was really imported as, to decide whether a mutant
is active and to link tests to functions. Lambda, the tests and the local stack import the function as
``predict.app`` (the code folder, CodeUri, on the path), so under mutmut's naming no test would
ever be linked to, or kill, a mutant of the function. mutmut leaves out a leading ``src/`` for
the same reason (``mutmut.utils.format_utils.get_mutant_name``); this leaves out the function's
code folder as well. Written by hand because mutmut has no setting for it; it replaces that one
function wherever mutmut 3.8.1 (requirements/mutation.txt) imported it.

    python -m tools.mutation_run run        # any mutmut command: run, results, show NAME, ...
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from mutmut import __main__ as mutmut_cli
from mutmut.mutation import file_mutation
from mutmut.utils import format_utils
from samtranslator.yaml_helper import yaml_parse

# Read with SAM's own loader rather than local_stack.cloudformation: mutmut forks every mutant's
# process from this one, and none of the project's modules may be imported here before the mutant is.
TEMPLATE = Path("template.yaml")
_named_by_path = format_utils.get_mutant_name


@cache
def code_folders() -> frozenset[str]:
    """The folders the template's functions are packaged from (CodeUri), relative to the project root."""
    resources = yaml_parse(TEMPLATE.read_text())["Resources"].values()
    return frozenset(
        Path(resource["Properties"]["CodeUri"]).parts[0]
        for resource in resources
        if resource["Type"] == "AWS::Serverless::Function"
    )


def get_mutant_name(relative_source_path: Path, mutant_method_name: str) -> str:
    """mutmut's name for a mutant, with the function's code folder left out of the module path."""
    if relative_source_path.parts[0] in code_folders():
        relative_source_path = Path(*relative_source_path.parts[1:])
    return _named_by_path(relative_source_path, mutant_method_name)


for module in (format_utils, mutmut_cli, file_mutation):
    module.get_mutant_name = get_mutant_name


if __name__ == "__main__":
    sys.argv[0] = "mutmut"
    sys.exit(mutmut_cli.cli())
