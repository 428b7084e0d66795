"""``helmpy show chart|values|readme|crds|all``: print parts of a chart the way ``helm show`` does."""

from __future__ import annotations

import logging
from enum import Enum

from helmpy import yamlutil
from helmpy.chart.model import Chart

logger = logging.getLogger(__name__)

README_NAMES = ("readme.md", "readme.txt", "readme")


class ShowWhat(str, Enum):
    """The ``show`` sub-commands."""

    ALL = "all"
    CHART = "chart"
    VALUES = "values"
    README = "readme"
    CRDS = "crds"


def find_readme(chart: Chart) -> bytes | None:
    """The first top-level file named readme.md/readme.txt/readme (any case), in file order."""
    for f in chart.files:
        if f.name.lower() in README_NAMES:
            return f.data
    return None


def show(chart: Chart, what: ShowWhat | str) -> str:
    """Helm's ``show`` text for an already loaded chart (sections joined by ``---`` for ``all``)."""
    what = ShowWhat(what)
    every = what is ShowWhat.ALL
    out: list[str] = []
    if what in (ShowWhat.CHART, ShowWhat.ALL):
        out.append(yamlutil.dump(chart.metadata.to_dict()) + "\n")
    if what in (ShowWhat.VALUES, ShowWhat.ALL) and (chart.raw_values or chart.values):
        if every:
            out.append("---\n")
        out.append(chart.raw_values.decode("utf-8", "replace") + "\n")
    if what in (ShowWhat.README, ShowWhat.ALL):
        readme = find_readme(chart)
        if readme is not None:
            if every:
                out.append("---\n")
            out.append(readme.decode("utf-8", "replace") + "\n")
    if what in (ShowWhat.CRDS, ShowWhat.ALL):
        for _path, f in chart.crd_objects():
            if not f.data.startswith(b"---"):
                out.append("---\n")
            out.append(f.data.decode("utf-8", "replace") + "\n")
    return "".join(out)


def values_jsonpath(chart: Chart, template: str) -> tuple[str, str]:
    """``show values --jsonpath``: (what the template prints of the chart's values, why it printed nothing).

    As Helm, a path that finds nothing prints nothing and is no error (the reason is for a warning on stderr);
    a template that cannot be parsed is an error naming it.
    """
    from helmpy import jsonpath

    try:
        return jsonpath.execute(template, chart.values), ""
    except jsonpath.JSONPathSyntaxError as err:
        raise jsonpath.JSONPathSyntaxError(f"error parsing jsonpath {template}: {err.message}") from err
    except jsonpath.JSONPathNotFound as err:
        return "", err.message
