"""Sign-up, and the account's email addresses: send a verification link, and open it.

A verified address is what a competition restricted to an email domain checks
(``competitions.selectors.can_view``); the address typed on the account does not count.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from podium.accounts.guards import link_allowed, link_failed, password_reset_allowed
from podium.accounts.selectors import api_tokens, verified_emails
from podium.accounts.services import email_verification_check, email_verification_send, email_verify
from podium.accounts.signup import (
    signup_confirm,
    signup_domains,
    signup_link_resend,
    signup_pending_for_token,
    user_signup,
)
from podium.accounts.tokens import api_token_create, api_token_revoke, api_token_rotate
from podium.core.addresses import client_address
from podium.core.errors import DomainError
from podium.core.limits import Limited
from podium.leaderboards import selectors as board_selectors
from podium.web.errors import shows_domain_errors
from podium.web.forms import (
    EmailVerificationForm,
    LoginForm,
    SignupConfirmForm,
    SignupForm,
    SignupResendForm,
    TokenForm,
)


def _next_url(request) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return wanted if safe else settings.LOGIN_REDIRECT_URL


def _limited(response, refusal: Limited):
    """A form page re-shown with a limit's message: 429, with ``Retry-After``."""
    response.status_code = 429
    response["Retry-After"] = str(refusal.retry_after)
    return response


class LoginView(auth_views.LoginView):
    """Django's sign-in page with the guessing limits of ``accounts.guards`` (on the form)."""

    form_class = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        return _limited(response, form.limited) if form.limited else response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request, limited per address and per email (each request sends mail)."""

    def form_valid(self, form):
        try:
            password_reset_allowed(
                address=client_address(self.request), email=form.cleaned_data["email"]
            )
        except Limited as refusal:
            form.add_error(None, refusal.message)
            return _limited(self.form_invalid(form), refusal)
        return super().form_valid(form)


def guards_links(view):
    """For views that open an emailed or shared link (a token in the URL): an address that
    opened too many wrong ones is refused (429) for a while; a wrong one (a DomainError: not
    found, expired, invalid) is counted, then shown as before."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        address = client_address(request)
        link_allowed(address=address)
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            if exc.status in (400, 403, 404, 410):
                link_failed(address=address)
            raise

    return wrapper


def signup(request):
    """A new account, its address mailed a verification link: signed in at once, or, where
    sign-up is limited to email domains, only once that link is opened (``accounts.signup``)."""
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def link_for(token: str) -> str:
            return request.build_absolute_uri(reverse("web:email_verify", kwargs={"token": token}))

        data = form.cleaned_data
        try:
            user = user_signup(
                username=data["username"],
                email=data["email"],
                password=data["password"],
                link_for=link_for,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            if not user.is_active:  # limited to domains: the address must be proved first
                messages.success(
                    request,
                    f"Almost there, {user.get_username()}: we sent a link to "
                    f"{user.email}. Open it to finish signing up; until then you cannot sign in.",
                )
                return redirect("web:login")
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                f"Welcome to Podium, {user.get_username()}! We sent a link to "
                f"{user.email}: open it to verify your address.",
            )
            return redirect(_next_url(request))
    context = {
        "form": form,
        "domains": signup_domains(),
        "open": settings.SIGNUP_OPEN,
        "next": _next_url(request) if request.GET.get("next") or request.POST.get("next") else "",
    }
    return render(request, "web/account/signup.html", context)


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


@shows_domain_errors
@guards_links
def email_confirm(request, token: str):
    """GET shows what the link verifies (a mail scanner's visit changes nothing); POST does it.

    A link that finishes a pending sign-up (sign-up limited to domains) needs no session: its
    page asks for the account's password, then activates the account and signs it in."""
    pending = signup_pending_for_token(token)
    if pending is not None:
        return _signup_confirm(request, token, pending)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.method == "POST":
        verified = email_verify(user=request.user, token=token)
        messages.success(request, f"{verified.email} is verified.")
        return redirect("web:email")
    address = email_verification_check(user=request.user, token=token)
    return render(request, "web/account/email_confirm.html", {"address": address})


def _signup_confirm(request, token: str, pending):
    form = SignupConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = signup_confirm(token=token, password=form.cleaned_data["password"])
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request, f"{pending.email} is verified. Welcome to Podium, {user.get_username()}!"
        )
        return redirect(settings.LOGIN_REDIRECT_URL)
    context = {"address": pending.email, "pending": pending, "form": form}
    return render(request, "web/account/email_confirm.html", context)


@shows_domain_errors
def signup_resend(request):
    """A new link for a sign-up waiting for its address (username and password prove it)."""
    form = SignupResendForm(
        request.POST or None, initial={"username": request.GET.get("username", "")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            address = signup_link_resend(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                link_for=lambda token: _verify_link(request, token),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, f"We sent a new link to {address}: open it to finish signing up."
            )
            return redirect("web:login")
    return render(request, "web/account/signup_resend.html", {"form": form})


def _verify_link(request, token: str) -> str:
    return request.build_absolute_uri(reverse("web:email_verify", kwargs={"token": token}))


# -- the profile: competitions and results, API tokens -----------------------------------------

# The key made by a create or a rotate, shown once: kept in the session only until the next
# profile page (a reload does not show it again).
_NEW_KEY = "podium_new_api_key"


@login_required
def profile(request):
    context = {
        "results": board_selectors.user_results(user=request.user, viewer=request.user),
        "tokens": api_tokens(user=request.user),
        "verified": verified_emails(user=request.user),
        "token_form": TokenForm(),
        "new_key": request.session.pop(_NEW_KEY, None),
    }
    return render(request, "web/account/profile.html", context)


def _account(request):
    """The signed-in user as a model instance (not the request's lazy wrapper): the token
    services lock the user's row through its class."""
    return get_user_model()._default_manager.get(pk=request.user.pk)


def _show_once(request, token, key: str) -> None:
    request.session[_NEW_KEY] = {"id": token.pk, "name": token.name, "key": key}


@require_POST
@login_required
def token_create(request):
    form = TokenForm(request.POST)
    name = form.cleaned_data["name"] if form.is_valid() else request.POST.get("name", "")
    try:
        token, key = api_token_create(user=_account(request), name=name)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        _show_once(request, token, key)
        messages.success(request, "Your new API token is below: copy it now, it is shown once.")
    return redirect(reverse("web:profile") + "#api-tokens")


@require_POST
@login_required
def token_change(request, token_id: int, action: str):
    """``rotate``: a new key for the token (the old one stops working); ``revoke``: delete it."""
    if action not in {"rotate", "revoke"}:
        raise Http404("No such action.")
    try:
        if action == "rotate":
            token, key = api_token_rotate(user=_account(request), token_id=token_id)
            _show_once(request, token, key)
            messages.success(
                request, "The token has a new key, below: copy it now. The old key stopped working."
            )
        else:
            api_token_revoke(user=_account(request), token_id=token_id)
            messages.success(request, "The token is revoked: its key stopped working.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("web:profile") + "#api-tokens")
