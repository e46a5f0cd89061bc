"""`in` on integer columns with numbers the column cannot hold.

Django answers `pk=<a number over 2**63>` with "no such row" on every database (its
IntegerFieldOverflow lookups), but not `pk__in=[...]`: on SQLite such a number raises
OverflowError inside the query, so any form that checks a list of ids (the admin's
many-to-many fields, the autocomplete widget re-showing a bad choice) answered a hand-made
request with a 500. This lookup drops the numbers no row can have, as Django's own lookups
do for `exact`, so every database answers the same way: not found.
"""

from django.db.models import IntegerField
from django.db.models.lookups import In


@IntegerField.register_lookup
class IntegerFieldIn(In):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(self.lhs.output_field.get_internal_type())
            self.rhs = [
                value for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)
