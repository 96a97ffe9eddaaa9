"""Notifiers: adapters that satisfy :class:`accountcare.ports.notify.Notifier`.

``console`` (a text stream or :mod:`logging`), ``smtp`` (email through :mod:`smtplib`),
``webhook`` (a signed JSON POST) and ``apprise`` (chat and SMS services, extra
``apprise``). Import the module you need; nothing optional is imported here.
"""
