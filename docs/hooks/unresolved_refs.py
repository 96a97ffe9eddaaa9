"""Fail the build when a page shows a cross-reference that did not resolve.

mkdocs-autorefs leaves a reference whose target is not rendered anywhere as its raw
Markdown (``[`name`][accountcare.x.name]``) and, for references written in docstrings,
without a warning that ``--strict`` would turn into an error. This hook reads every
built page and names each such reference, so a link to a private or undocumented
object is caught when it is written.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

_RAW = re.compile(r"\]\[(accountcare[\w.]*)\]")


def on_post_build(config: Any) -> None:
    site = Path(config["site_dir"])
    found = sorted(
        f"{page.relative_to(site)}: {target}"
        for page in site.rglob("*.html")
        for target in set(_RAW.findall(page.read_text(encoding="utf-8")))
    )
    if found:
        raise PluginError("unresolved cross-references:\n  " + "\n  ".join(found))
