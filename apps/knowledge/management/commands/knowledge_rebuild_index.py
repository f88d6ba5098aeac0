from django.core.management.base import BaseCommand

from apps.knowledge import services


class Command(BaseCommand):
    help = "Rebuild the case library's search index from every case (after a change of its dictionaries)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--queue", action="store_true", help="Hand the rebuild to the task queue instead of running it here."
        )

    def handle(self, *args, queue=False, **options):
        if queue:
            from apps.knowledge.tasks import index_rebuild_task

            index_rebuild_task()
            self.stdout.write("Rebuild of the case library index queued.")
            return
        count = services.index_rebuild()
        self.stdout.write(self.style.SUCCESS(f"{count} cases indexed."))
