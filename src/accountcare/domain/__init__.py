"""Domain values: immutable, validated, free of I/O and of the clock.

>>> from accountcare.domain import Account
>>> Account(id="acme", name="Acme").stage.value
'customer'
"""

from accountcare.domain._validate import MAX_AMOUNT, MAX_AMOUNT_PLACES, MAX_ID_LENGTH, MAX_TOTAL
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
    OrderTotal,
    Outcome,
    order_totals,
)
from accountcare.domain.cadence import DEFAULT_CADENCE, Cadence, TierCadence
from accountcare.domain.calendars import MONDAY_TO_FRIDAY, WorkCalendar
from accountcare.domain.care import CareKind, CareSchedule, CareTask, DroppedTask, DropReason
from accountcare.domain.care_rules import (
    DEFAULT_CARE_RULES,
    DEFAULT_CEILING,
    CareEvent,
    CareRules,
    CeilingRule,
    EventKind,
    ExtraHoliday,
)
from accountcare.domain.contacts import (
    Birthday,
    BirthdayCalendar,
    Channel,
    ConsentAction,
    ConsentEvent,
    Contact,
    ContactRole,
    PhoneNumber,
    RelationshipLayer,
    channels_of_addresses,
    layer_of_role,
)
from accountcare.domain.health import HealthComponents, HealthScore, HealthWeights
from accountcare.domain.hygiene import PurgeItem, PurgePlan, ReverificationItem
from accountcare.domain.messages import Delivery, Message, Recipient
from accountcare.domain.metrics import AccountMetrics
from accountcare.domain.outbox import OutboxEntry, OutboxStatus, RetryPolicy
from accountcare.domain.pdca import PdcaCycle, PdcaStage, PdcaStep
from accountcare.domain.periods import Period
from accountcare.domain.relationships import (
    AccountTeam,
    LayerRequirement,
    RelationshipMap,
    TeamAssignment,
    TeamRole,
)
from accountcare.domain.team import Company, Rep
from accountcare.domain.tiers import Priority, TierAssignment, TierReason
from accountcare.domain.visibility import VisibilityPolicy
from accountcare.domain.visits import (
    UnplacedReason,
    UnplacedVisit,
    Utilisation,
    Visit,
    VisitChecklist,
    VisitPlan,
    VisitPurpose,
)
from accountcare.domain.warnings import (
    Alert,
    AlertRule,
    LostAccountReview,
    RetentionFigures,
    RootCause,
    WinBackTask,
)

__all__ = [
    "DEFAULT_CADENCE",
    "DEFAULT_CARE_RULES",
    "DEFAULT_CEILING",
    "MAX_AMOUNT",
    "MAX_AMOUNT_PLACES",
    "MAX_ID_LENGTH",
    "MAX_TOTAL",
    "MONDAY_TO_FRIDAY",
    "Account",
    "AccountMetrics",
    "AccountNote",
    "AccountTeam",
    "Address",
    "Alert",
    "AlertRule",
    "Birthday",
    "BirthdayCalendar",
    "Cadence",
    "CareEvent",
    "CareKind",
    "CareRules",
    "CareSchedule",
    "CareTask",
    "CeilingRule",
    "Channel",
    "Company",
    "CompanySize",
    "Complaint",
    "ComplaintSeverity",
    "ConsentAction",
    "ConsentEvent",
    "Contact",
    "ContactRole",
    "CreditRating",
    "Delivery",
    "DropReason",
    "DroppedTask",
    "EventKind",
    "ExtraHoliday",
    "FinancialInfo",
    "HealthComponents",
    "HealthScore",
    "HealthWeights",
    "Interaction",
    "InteractionKind",
    "LayerRequirement",
    "LifecycleStage",
    "LostAccountReview",
    "Message",
    "NewCustomerKind",
    "Order",
    "OrderTotal",
    "OutboxEntry",
    "OutboxStatus",
    "Outcome",
    "PdcaCycle",
    "PdcaStage",
    "PdcaStep",
    "Period",
    "PhoneNumber",
    "Priority",
    "PurgeItem",
    "PurgePlan",
    "Recipient",
    "RelationshipLayer",
    "RelationshipMap",
    "Rep",
    "RetentionFigures",
    "RetryPolicy",
    "ReverificationItem",
    "RootCause",
    "Source",
    "TeamAssignment",
    "TeamRole",
    "TierAssignment",
    "TierCadence",
    "TierReason",
    "UnplacedReason",
    "UnplacedVisit",
    "Utilisation",
    "VisibilityPolicy",
    "Visit",
    "VisitChecklist",
    "VisitPlan",
    "VisitPurpose",
    "WinBackTask",
    "WorkCalendar",
    "channels_of_addresses",
    "layer_of_role",
    "order_totals",
]
