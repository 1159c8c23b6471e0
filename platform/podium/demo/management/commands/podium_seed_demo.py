import time

from django.core.management.base import BaseCommand

from podium.demo.seed import seed_demo


class Command(BaseCommand):
    help = (
        "Create the demo: four competitions built from scikit-learn's datasets (three running, "
        "one finished with its private board revealed), an organizer, participants and scored "
        "boards. Running it again changes nothing, in a few queries."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="Delete the demo competitions and users first."
        )

    def handle(self, *args, reset: bool = False, **options):
        started = time.monotonic()
        done = seed_demo(reset=reset, log=lambda line: self.stdout.write(f"  {line}"))
        took = time.monotonic() - started
        said = "The demo is ready" if done else "The demo is ready (already seeded)"
        self.stdout.write(self.style.SUCCESS(f"{said}: {took:.1f} s."))
