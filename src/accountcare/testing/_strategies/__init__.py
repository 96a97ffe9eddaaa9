"""The parts of [`accountcare.testing.strategies`][accountcare.testing.strategies], one
subject each: field values and strategies derived from field types (`.fields`), values
of a book (`.book`), tier values and populations (`.tiers`). Import them from
[`accountcare.testing.strategies`][accountcare.testing.strategies], which registers them
for ``st.from_type``.
"""
