"""Every example in a docstring of the library runs and shows what it says.

Modules are found by walking the package, so a new module's examples are checked
without anyone listing it here.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import accountcare

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(accountcare.__path__, prefix="accountcare.")
    if not info.name.endswith("__main__")
)


def test_the_walk_finds_the_library() -> None:
    assert {
        "accountcare.policies.tiers.abc",
        "accountcare.services.demo",
        "accountcare.cli",
    } <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(module, name, globs=dict(vars(module))):
        runner.run(test)
    results = runner.summarize(verbose=False)
    assert results.failed == 0, f"{results.failed} docstring examples failed in {name}"
