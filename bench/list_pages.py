"""Time the main list pages, searches and API lists on a large installed base.

    .venv/bin/python bench/list_pages.py --scale 50 [--database-url postgres://…/empty_db] [--repeat 5]

Builds the data with the shared demo generator on a fresh database (throw-away SQLite unless
--database-url names an empty one), then requests each page as the admin (sees everything)
and as an engineer (region-scoped), and prints the median time and the number of SQL queries.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PAGES = [
    ("customers list", "/customers/"),
    ("customers search 人民", "/customers/?q=%E4%BA%BA%E6%B0%91"),
    ("customers search pinyin rmyy", "/customers/?q=rmyy"),
    ("customers page 20 by name", "/customers/?sort=name&page=20"),
    ("instruments list", "/instruments/"),
    ("instruments search serial", "/instruments/?q=YH30"),
    ("contacts list", "/contacts/"),
    ("API customers", "/api/v1/customers/"),
    ("API instruments page 50", "/api/v1/instruments/?page=50"),
    ("customer detail", None),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="bench-lists-")
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
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from apps.accounts.models import User
    from apps.customers.models import Customer
    from apps.customers.selectors import customer_list
    from apps.demo.generator import generate
    from apps.instruments.models import Instrument

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    generate(seed=42, scale=args.scale, stdout=open(os.devnull, "w"))  # noqa: SIM115
    print(
        f"database: {connection.vendor}; scale {args.scale}: {Customer.objects.count():,} customers, "
        f"{Instrument.objects.count():,} instruments (generated in {time.perf_counter() - started:.0f} s)"
    )
    for username in ("admin", "engineer"):
        user = User.objects.get(username=username)
        detail = customer_list(user=user).first().get_absolute_url()
        client = Client()
        client.force_login(user)
        print(f"\nas {username}:")
        print(f"  {'page':34} {'median ms':>10} {'queries':>8}")
        for label, url in PAGES:
            url = url or detail
            timings = []
            for _ in range(args.repeat):
                with CaptureQueriesContext(connection) as queries:
                    t0 = time.perf_counter()
                    response = client.get(url)
                    timings.append((time.perf_counter() - t0) * 1000)
            status = "" if response.status_code == 200 else f"  (HTTP {response.status_code})"
            print(f"  {label:34} {statistics.median(timings):10.1f} {len(queries.captured_queries):8d}{status}")
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
