"""Domain values: immutable, validated, free of I/O and of the clock.

>>> from accountcare.domain import Account
>>> Account(id="acme", name="Acme").stage.value
'customer'
"""

from accountcare.domain.accounts import (
    Account,
    AccountNote,
    Address,
    CompanySize,
    CreditRating,
    FinancialInfo,
    LifecycleStage,
    NewCustomerKind,
    Source,
)
from accountcare.domain.activity import (
    Complaint,
    ComplaintSeverity,
    Interaction,
    InteractionKind,
    Order,
    Outcome,
)
from accountcare.domain.cadence import DEFAULT_CADENCE, Cadence, TierCadence
from accountcare.domain.care import CareKind, CareSchedule, CareTask, DroppedTask, DropReason
from accountcare.domain.contacts import (
    Birthday,
    BirthdayCalendar,
    Channel,
    Contact,
    ContactRole,
    PhoneNumber,
    RelationshipLayer,
    layer_of_role,
)
from accountcare.domain.messages import Delivery, Message, Recipient
from accountcare.domain.tiers import Priority, TierAssignment, TierReason
from accountcare.domain.visits import (
    UnplacedReason,
    UnplacedVisit,
    Utilisation,
    Visit,
    VisitChecklist,
    VisitPlan,
    VisitPurpose,
)

__all__ = [
    "DEFAULT_CADENCE",
    "Account",
    "AccountNote",
    "Address",
    "Birthday",
    "BirthdayCalendar",
    "Cadence",
    "CareKind",
    "CareSchedule",
    "CareTask",
    "Channel",
    "CompanySize",
    "Complaint",
    "ComplaintSeverity",
    "Contact",
    "ContactRole",
    "CreditRating",
    "Delivery",
    "DropReason",
    "DroppedTask",
    "FinancialInfo",
    "Interaction",
    "InteractionKind",
    "LifecycleStage",
    "Message",
    "NewCustomerKind",
    "Order",
    "Outcome",
    "PhoneNumber",
    "Priority",
    "Recipient",
    "RelationshipLayer",
    "Source",
    "TierAssignment",
    "TierCadence",
    "TierReason",
    "UnplacedReason",
    "UnplacedVisit",
    "Utilisation",
    "Visit",
    "VisitChecklist",
    "VisitPlan",
    "VisitPurpose",
    "layer_of_role",
]
