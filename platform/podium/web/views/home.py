from django.shortcuts import render

from podium.accounts.selectors import verified_emails
from podium.competitions import selectors
from podium.competitions.selectors import CARD_FILTERS


def home(request):
    state = request.GET.get("state", "")
    cards = selectors.competition_cards(user=request.user, state=state)
    context = {"cards": cards, "state": state, "filters": CARD_FILTERS}
    # Competitions open to an email domain show only to verified addresses: say so.
    context["verify_email_prompt"] = request.user.is_authenticated and not verified_emails(
        user=request.user
    )
    return render(request, "web/home.html", context)
