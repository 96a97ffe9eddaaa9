"""Adapters: thin translations between the domain and the outside world.

Each adapter satisfies a port from `accountcare.ports`. Optional dependencies are
imported lazily, so importing this package costs nothing.
"""
