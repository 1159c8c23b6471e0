from django.core.management.base import BaseCommand

from podium.demo.seed import seed_demo


class Command(BaseCommand):
    help = (
        "Create the demo: three competitions built from scikit-learn's datasets, an organizer, "
        "participants and scored boards. Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="Delete the demo competitions and users first."
        )

    def handle(self, *args, reset: bool = False, **options):
        seed_demo(reset=reset, log=lambda line: self.stdout.write(f"  {line}"))
        self.stdout.write(self.style.SUCCESS("The demo is ready."))
