"""Time the shared demo generator at a given scale on a fresh database.

    .venv/bin/python bench/seed_scale.py --scale 100 [--seed 42] [--database-url postgres://…/empty_db]

Without --database-url a throw-away SQLite file in a temporary folder is used. With it, the
database must be empty (migrations are applied; nothing is dropped afterwards).
Prints the rows written (including their history rows) and rows per second.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="bench-seed-")
    os.environ["DATA_DIR"] = tmp.name  # settings put the default SQLite file (and Huey's) here
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.apps import apps
    from django.core.management import call_command
    from django.db import connection

    from apps.demo.generator import generate

    call_command("migrate", verbosity=0)
    tables = [m for m in apps.get_models() if m._meta.app_label in {"accounts", "customers", "catalog", "instruments"}]
    before = sum(m.objects.count() for m in tables)
    started = time.perf_counter()
    counts = generate(seed=args.seed, scale=args.scale, stdout=open(os.devnull, "w"))  # noqa: SIM115
    elapsed = time.perf_counter() - started
    rows = sum(m.objects.count() for m in tables) - before

    print(f"database: {connection.vendor}, scale {args.scale}, seed {args.seed}")
    print("  ".join(f"{k}={v}" for k, v in counts.items()))
    print(f"{rows} rows (with history) in {elapsed:.1f} s = {rows / elapsed:,.0f} rows/s")
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
