"""Relationships: who holds each key account, and how the relationship is developed.

Practitioners hold a key account in three layers (key relationships with decision
makers and champions, broad ones with the many users, organisational ones company to
company), answer it with an "iron triangle" of account, solution and delivery manager,
and develop key relationships in plan-do-check-act cycles. By module:

- `layers.relationship_map` (and `relationship_maps` for a book): coverage of each layer,
  when it was last touched and by whom, and the gaps (single-threaded, no decision
  maker, too few broad contacts...) against the tier's `DEFAULT_REQUIREMENTS`;
- `team.review_teams`: the roles filled on each key account, those missing, and the
  people on more key accounts than `DEFAULT_KEY_ACCOUNT_LIMIT`;
- `pdca.start_cycle`, `pdca.advance` and `pdca.overdue_steps`: a follow-up cycle moved
  one legal step at a time, and the steps that are late.

The everyday names are also in `accountcare.policies`.

>>> from datetime import date
>>> from accountcare.domain import Contact, ContactRole
>>> from accountcare.domain.relationships import TeamAssignment
>>> from accountcare.policies.relationships.layers import relationship_map
>>> from accountcare.policies.relationships.team import review_teams
>>> wang = Contact(id="c1", account_id="acme", name="Wang", role=ContactRole.DECISION_MAKER)
>>> [gap.kind.value for gap in relationship_map("acme", [wang], [], as_of=date(2026, 6, 1),
...                                                tier="B").gaps]
['single_threaded', 'decision_maker_not_touched', 'layer_not_touched', 'too_few_in_layer']
>>> team = review_teams([TeamAssignment("acme", "account_manager", "li")], ["acme"])
>>> [role.value for role in team.teams[0].missing]
['solution_manager', 'delivery_manager']
"""
