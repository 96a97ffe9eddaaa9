"""Purchase and spend models: who is still buying, how much more, and what it is worth.

Repeat-purchase models (BG/NBD, Pareto/NBD) read each account's purchase summary (its
frequency, recency and age) and give the probability that it is still active and the
purchases to expect; the Gamma-Gamma model gives the spend to expect per purchase; the two
together give a customer lifetime value. Everything here is pure: fit on summaries,
predict from parameters. Fitting needs scipy (``pip install accountcare[models]``).

>>> from accountcare.policies.models import BgNbd, PurchaseSummaries
>>> data = PurchaseSummaries(ids=("a",), frequency=[0], recency=[0.0], T=[38.0])
>>> BgNbd().p_alive([0.243, 4.414, 0.793, 2.426], data).tolist()
[1.0]
"""

from accountcare.policies.models._fitting import FitReport, check_purchase_data, maximise
from accountcare.policies.models._predictions import Prediction, Predictions, predictions
from accountcare.policies.models.bgnbd import BgNbd, BgNbdParameters
from accountcare.policies.models.clv import PurchaseModel, clv
from accountcare.policies.models.gamma_gamma import GammaGamma, GammaGammaParameters
from accountcare.policies.models.pareto import ParetoNbd, ParetoNbdParameters
from accountcare.policies.models.summaries import PurchaseSummaries, PurchaseSummary, summarise

__all__ = [
    "BgNbd",
    "BgNbdParameters",
    "FitReport",
    "GammaGamma",
    "GammaGammaParameters",
    "ParetoNbd",
    "ParetoNbdParameters",
    "Prediction",
    "Predictions",
    "PurchaseModel",
    "PurchaseSummaries",
    "PurchaseSummary",
    "check_purchase_data",
    "clv",
    "maximise",
    "predictions",
    "summarise",
]
