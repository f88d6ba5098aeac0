"""Time the dispatch board and the dispatch suggestions with many open orders and engineers.

    .venv/bin/python bench/dispatch_board.py --orders 20000 --engineers 300 [--scale 10]
        [--database-url postgres://…/empty_db] [--repeat 5]

Builds the master data with the shared demo generator on a fresh database (throw-away SQLite
unless --database-url names an empty one), then bulk-writes extra field engineers (regions,
skill groups, qualifications) and open work orders spread over every board column, about half
of them with running SLA clocks. Bulk writes skip the services on purpose: this measures the
reads. Prints the median time and the SQL query count of the board (full page, the htmx
refresh, one region), of the dispatch page and of suggest_engineers().
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20000)
    parser.add_argument("--engineers", type=int, default=300)
    parser.add_argument("--scale", type=int, default=10, help="demo generator scale (customers, instruments)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--profile", action="store_true", help="print where the board's time goes")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="bench-board-")
    os.environ["DATA_DIR"] = tmp.name
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from apps.accounts.choices import Role
    from apps.accounts.models import Qualification, Region, SkillGroup, User
    from apps.catalog.models import InstrumentModel
    from apps.customers.models import Customer
    from apps.demo.generator import generate
    from apps.instruments.models import Instrument
    from apps.sla.choices import ClockState
    from apps.sla.models import SlaClock, SlaPolicy
    from apps.sla.selectors import default_calendar
    from apps.workorders.choices import Status, Urgency, WorkType
    from apps.workorders.dispatching import suggest_engineers
    from apps.workorders.models import WorkOrder

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    generate(seed=42, scale=args.scale, stdout=open(os.devnull, "w"))  # noqa: SIM115
    generated = time.perf_counter() - started

    rng = random.Random(7)
    now = timezone.now()
    started = time.perf_counter()
    with transaction.atomic():
        regions = list(Region.objects.all())
        groups = list(SkillGroup.objects.all())
        models = list(InstrumentModel.objects.all())
        password = make_password(None)
        existing = User.objects.filter(role=Role.ENGINEER).count()
        new_engineers = User.objects.bulk_create(
            [
                User(username=f"bench_eng{i}", name=f"工程师{i:03d}", role=Role.ENGINEER, password=password)
                for i in range(max(0, args.engineers - existing))
            ]
        )
        region_links, skill_links, qualifications = [], [], []
        for engineer in new_engineers:
            for region in rng.sample(regions, rng.randint(1, 3)):
                region_links.append(User.regions.through(user_id=engineer.pk, region_id=region.pk))
            for group in rng.sample(groups, rng.randint(1, 3)):
                skill_links.append(User.skill_groups.through(user_id=engineer.pk, skillgroup_id=group.pk))
            for model in rng.sample(models, rng.randint(1, 4)):
                since = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 600))
                qualifications.append(
                    Qualification(
                        engineer=engineer,
                        instrument_model=model,
                        valid_from=since,
                        valid_until=since + dt.timedelta(days=rng.choice([300, 1000, 1100])),
                    )
                )
        User.regions.through.objects.bulk_create(region_links)
        User.skill_groups.through.objects.bulk_create(skill_links)
        Qualification.objects.bulk_create(qualifications)
        engineers = list(User.objects.filter(role=Role.ENGINEER))

        instruments = list(Instrument.objects.select_related("customer__city", "customer__province").order_by("pk"))
        statuses = [Status.NEW, Status.PENDING_APPROVAL, Status.APPROVED, Status.DISPATCHED, Status.SCHEDULED]
        statuses += [Status.ON_SITE]
        clerk = User.objects.get(username="clerk")
        orders = []
        for i in range(args.orders):
            instrument = rng.choice(instruments)
            customer = instrument.customer
            status = rng.choice(statuses)
            engineer = (
                rng.choice(engineers) if status in (Status.DISPATCHED, Status.SCHEDULED, Status.ON_SITE) else None
            )
            appointment = None
            if status in (Status.SCHEDULED, Status.ON_SITE):
                appointment = now + dt.timedelta(hours=rng.randint(-30, 72))
            orders.append(
                WorkOrder(
                    number=f"WB{i:08d}",
                    status=status,
                    work_type=rng.choice(
                        [WorkType.REPAIR, WorkType.REPAIR, WorkType.MAINTENANCE, WorkType.COMMISSIONING]
                    ),
                    urgency=Urgency.URGENT if rng.random() < 0.1 else Urgency.NORMAL,
                    customer=customer,
                    instrument=instrument,
                    instrument_model_id=instrument.model_id,
                    description="基准测试工单",
                    region=customer.city,
                    sales_id=customer.responsible_sales_id,
                    created_by=clerk,
                    engineer=engineer,
                    appointment_at=appointment,
                    application_missing=rng.random() < 0.03,
                    on_hold=rng.random() < 0.05,
                )
            )
        orders = WorkOrder.objects.bulk_create(orders, batch_size=2000)
        calendar = default_calendar()
        policies = list(SlaPolicy.objects.all()[:4])
        content_type = ContentType.objects.get_for_model(WorkOrder)
        clocks = []
        for order in orders:
            if rng.random() < 0.5 or not policies:
                continue
            for policy in rng.sample(policies, min(2, len(policies))):
                started_at = now - dt.timedelta(hours=rng.randint(1, 80))
                duration = dt.timedelta(hours=rng.choice([1, 4, 24, 48]))
                clocks.append(
                    SlaClock(
                        content_type=content_type,
                        object_id=order.pk,
                        policy=policy,
                        calendar=calendar,
                        started_at=started_at,
                        duration=duration,
                        due_at=started_at + duration,
                        warn_at=started_at + duration * 0.8,
                        state=ClockState.RUNNING,
                    )
                )
        SlaClock.objects.bulk_create(clocks, batch_size=2000)
    built = time.perf_counter() - started
    open_orders = WorkOrder.objects.count()
    print(
        f"database: {connection.vendor}; {Customer.objects.count():,} customers, "
        f"{User.objects.filter(role=Role.ENGINEER).count():,} engineers, {open_orders:,} open work orders, "
        f"{SlaClock.objects.count():,} SLA clocks (demo data {generated:.0f} s, bench rows {built:.0f} s)"
    )

    def timed(client, url, **headers):
        timings = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                t0 = time.perf_counter()
                response = client.get(url, **headers)
                timings.append((time.perf_counter() - t0) * 1000)
        status = "" if response.status_code == 200 else f"  (HTTP {response.status_code})"
        return statistics.median(timings), len(queries.captured_queries), status

    approved = WorkOrder.objects.filter(status=Status.APPROVED).order_by("pk").first()
    for username in ("techhead", "custmgr"):
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        province = user.managed_regions.filter(parent__isnull=True).order_by("code").first()
        province = province or Region.objects.filter(parent__isnull=True).order_by("code").first()
        if username == "techhead":
            dispatch = ("dispatch page (approved order)", f"/work-orders/{approved.pk}/dispatch/")
        else:
            mine = WorkOrder.objects.filter(status=Status.DISPATCHED, customer__province=province).first()
            dispatch = ("re-allocation page", f"/work-orders/{mine.pk}/dispatch/?mode=reallocate")
        print(f"\nas {username}:")
        print(f"  {'page':40} {'median ms':>10} {'queries':>8}")
        for label, url, headers in [
            ("board", "/work-orders/board/", {}),
            ("board, htmx refresh", "/work-orders/board/", {"HTTP_HX_REQUEST": "true"}),
            (f"board, region {province.name}", f"/work-orders/board/?region={province.pk}", {}),
            (*dispatch, {}),
        ]:
            median, count, status = timed(client, url, **headers)
            print(f"  {label:40} {median:10.1f} {count:8d}{status}")

    if args.profile:
        import cProfile
        import pstats

        from apps.workorders.dispatching import dispatch_board

        head = User.objects.get(username="techhead")
        profile = cProfile.Profile()
        profile.runcall(dispatch_board, user=head)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(20)

    order = WorkOrder.objects.select_related("customer", "instrument_model").get(pk=approved.pk)
    timings = []
    for _ in range(args.repeat):
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            ranked = suggest_engineers(order=order, limit=0)
            timings.append((time.perf_counter() - t0) * 1000)
    print(
        f"\nsuggest_engineers: {len(ranked)} engineers ranked in {statistics.median(timings):.1f} ms "
        f"(median), {len(queries.captured_queries)} queries"
    )
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
