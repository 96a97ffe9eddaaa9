"""accountcare: key-account care as code.

Tiers, visit plans, care schedules and relationship health as pure policies over
immutable domain values, with thin adapters for storage, notification and import.

>>> from accountcare.policies import AbcPolicy
>>> tiers = AbcPolicy().assign({"acme": 800, "globex": 150, "initech": 50})
>>> [tiers[k].tier for k in ("acme", "globex", "initech")]
['A', 'B', 'C']
"""

from accountcare.errors import AccountcareError, ConfigurationError, InvalidRecord, MissingExtra

__all__ = ["AccountcareError", "ConfigurationError", "InvalidRecord", "MissingExtra", "__version__"]

__version__ = "0.1.0"
