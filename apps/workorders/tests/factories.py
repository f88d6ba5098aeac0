"""Work-order test data.

`WorkOrderFactory` writes a valid NEW order straight through the model (no timeline event, no
SLA clock, no notification): quick rows for lists and scoping. When a test needs what intake
really does (the "registered" event, checklist, clocks), use `registered_order()`, which goes
through services.workorder_create.
"""

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from apps.accounts.choices import Role
from apps.accounts.tests.factories import UserFactory
from apps.customers.tests.factories import CustomerFactory
from apps.instruments.tests.factories import InstrumentFactory
from apps.workorders.choices import AttachmentKind, EventKind, Status, Urgency, WorkType
from apps.workorders.models import Attachment, WorkOrder, WorkOrderEvent

__all__ = ["AttachmentFactory", "WorkOrderEventFactory", "WorkOrderFactory", "registered_order"]


class WorkOrderFactory(factory.django.DjangoModelFactory):
    """A NEW repair request of a customer, on one of that customer's instruments.

    `WorkOrderFactory(customer=c)` puts a fresh instrument at `c`; pass `instrument=None` for a
    request without a unit. Region and sales follow the customer, as at intake.
    """

    class Meta:
        model = WorkOrder

    number = factory.Sequence(lambda n: f"WO260101-{n:05d}")
    status = Status.NEW
    work_type = WorkType.REPAIR
    urgency = Urgency.NORMAL
    customer = factory.SubFactory(CustomerFactory)
    instrument = factory.SubFactory(InstrumentFactory, customer=factory.SelfAttribute("..customer"))
    instrument_model = factory.LazyAttribute(lambda o: o.instrument.model if o.instrument else None)
    description = factory.Sequence(lambda n: f"报警代码 E{n:03d}，样本针堵塞")
    caller_name = "王老师"
    caller_phone = factory.Sequence(lambda n: f"1391234{n:04d}")
    region = factory.LazyAttribute(lambda o: o.customer.city if o.customer.city_id else o.customer.province)
    sales = factory.LazyAttribute(lambda o: o.customer.responsible_sales)
    created_by = factory.SubFactory(UserFactory, role=Role.CLERK)
    in_warranty = factory.LazyAttribute(
        lambda o: bool(o.instrument and o.instrument.warranty_end and timezone.localdate() <= o.instrument.warranty_end)
    )
    arrears_at_intake = factory.LazyAttribute(lambda o: o.customer.in_arrears)


class WorkOrderEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkOrderEvent

    work_order = factory.SubFactory(WorkOrderFactory)
    kind = EventKind.NOTE
    actor = factory.SelfAttribute("work_order.created_by")
    at = factory.LazyFunction(timezone.now)
    text = "已电话联系客户"


class AttachmentFactory(factory.django.DjangoModelFactory):
    """A small PNG photo on an order."""

    class Meta:
        model = Attachment

    work_order = factory.SubFactory(WorkOrderFactory)
    kind = AttachmentKind.PHOTO
    file = factory.LazyAttribute(lambda o: ContentFile(b"\x89PNG\r\n\x1a\n" + b"0" * 64, name=o.original_name))
    original_name = "fault.png"
    size = 72
    uploaded_by = factory.SelfAttribute("work_order.created_by")


def registered_order(*, actor=None, customer=None, instrument=None, **kwargs) -> WorkOrder:
    """An order registered the way the hotline does it (services.workorder_create): timeline,
    readiness checklist, SLA clocks. `actor` defaults to a clerk, `customer` to the instrument's."""
    from apps.workorders import services

    actor = actor or UserFactory(role=Role.CLERK)
    if instrument is None and customer is None:
        instrument = InstrumentFactory()
    customer = customer or instrument.customer
    kwargs.setdefault("work_type", WorkType.REPAIR)
    kwargs.setdefault("description", "仪器报警，无法开机")
    return services.workorder_create(actor=actor, customer=customer, instrument=instrument, **kwargs)
