"""The account's email addresses: send a verification link, and open it.

A verified address is what a competition restricted to an email domain checks
(``competitions.selectors.can_view``); the address typed on the account does not count.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse

from podium.accounts.selectors import verified_emails
from podium.accounts.services import email_verification_check, email_verification_send, email_verify
from podium.core.errors import DomainError
from podium.web.errors import shows_domain_errors
from podium.web.forms import EmailVerificationForm


@login_required
def email(request):
    """The user's verified addresses, and a form that mails a verification link."""
    form = EmailVerificationForm(request.POST or None, initial={"email": request.user.email})
    if request.method == "POST" and form.is_valid():

        def link_for(token: str) -> str:
            return request.build_absolute_uri(reverse("web:email_verify", kwargs={"token": token}))

        try:
            address = email_verification_send(
                user=request.user, email=form.cleaned_data["email"], link_for=link_for
            )
        except DomainError as exc:
            form.add_error("email", exc.message)
        else:
            messages.success(
                request, f"We sent a link to {address}. Open it to verify the address."
            )
            return redirect("web:email")
    context = {"form": form, "verified": verified_emails(user=request.user)}
    return render(request, "web/account/email.html", context)


@login_required
@shows_domain_errors
def email_confirm(request, token: str):
    """GET shows what the link verifies (a mail scanner's visit changes nothing); POST does it."""
    if request.method == "POST":
        verified = email_verify(user=request.user, token=token)
        messages.success(request, f"{verified.email} is verified.")
        return redirect("web:email")
    address = email_verification_check(user=request.user, token=token)
    return render(request, "web/account/email_confirm.html", {"address": address})
