"""The operator a payout command acts as: named on the command line, recorded as the calculator (who then cannot
approve what they calculated). Whether that user may calculate is the service's check, not the command's."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError


def operator_argument(parser) -> None:
    parser.add_argument(
        "--operator",
        "--as-user",
        dest="operator",
        required=True,
        metavar="USERNAME",
        help="Who runs this: an active staff user allowed to change payout batches. Recorded as the calculator, "
        "who cannot approve the batch (four eyes).",
    )


def operator_user(username: str):
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"No user {username!r}: --operator names the staff user who runs this command.")
    return user
