"""Writes of the installed base (SPEC MD-4), all audited and version-checked (apps.core.services).

An instrument only goes to a customer the actor may see (an engineer: his regions) — the
same rule as every record that hangs from a customer.
"""

from functools import partial

from apps.core.services import record_set_active
from apps.customers.services import record_at_customer_create, record_at_customer_update
from apps.instruments.models import Instrument

instrument_create = partial(record_at_customer_create, model=Instrument)
instrument_update = record_at_customer_update

# Deactivation (a retired or scrapped unit) needs nothing beyond the generic audited write.
set_active = record_set_active
