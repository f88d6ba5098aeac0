"""`manage.py seed_demo [--seed 42] [--scale 1]`: load the deterministic demo data set once."""

from django.core.management.base import BaseCommand, CommandError

from apps.demo.generator import demo_logins, generate


class Command(BaseCommand):
    help = "Load deterministic demo data (regions, staff of every role, customers, catalogue, instruments)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
        parser.add_argument(
            "--scale", type=int, default=1, help="multiplies customers, contacts and instruments (default 1)"
        )

    def handle(self, *args, seed: int, scale: int, **options):
        if scale < 1:
            raise CommandError("--scale must be at least 1")
        counts = generate(seed=seed, scale=scale, stdout=self.stdout)
        self.stdout.write("")
        self.stdout.write("  ".join(f"{name}={value}" for name, value in counts.items()))
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING("Demo logins"))
        rows = [("username", "password", "role")] + demo_logins()
        width = max(len(r[0]) for r in rows) + 2
        for username, password, role in rows:
            self.stdout.write(f"  {username:<{width}}{password:<10}{role}")
