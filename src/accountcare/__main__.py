"""``python -m accountcare``: the same as the ``accountcare`` command."""

from accountcare.cli import main

main()
