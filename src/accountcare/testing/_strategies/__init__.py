"""The parts of :mod:`accountcare.testing.strategies`, one subject each: field values and
strategies derived from field types (:mod:`.fields`), values of a book (:mod:`.book`),
tier values and populations (:mod:`.tiers`). Import them from
:mod:`accountcare.testing.strategies`, which registers them for ``st.from_type``.
"""
