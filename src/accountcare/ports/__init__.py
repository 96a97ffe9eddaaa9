"""Ports: the ``typing.Protocol`` s the core owns and adapters satisfy structurally.

A host CRM plugs in its own store or notifier by writing a class with the same methods;
no subclassing of accountcare classes is needed.
"""
