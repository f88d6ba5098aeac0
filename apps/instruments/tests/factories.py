import datetime as dt

import factory

from apps.catalog.tests.factories import InstrumentModelFactory
from apps.customers.tests.factories import CustomerFactory
from apps.instruments.models import Instrument

__all__ = ["InstrumentFactory", "InstrumentModelFactory"]


class InstrumentFactory(factory.django.DjangoModelFactory):
    """A customer-owned unit, installed 2026-03-10 and accepted 2026-03-15, 12 months' warranty."""

    class Meta:
        model = Instrument

    serial_no = factory.Sequence(lambda n: f"SN{n:06d}")
    model = factory.SubFactory(InstrumentModelFactory)
    customer = factory.SubFactory(CustomerFactory)
    install_date = dt.date(2026, 3, 10)
    acceptance_date = dt.date(2026, 3, 15)
    warranty_months = 12
