"""Email alerts on the web: follow a search, confirm it from the email, stop it (one click).

The pages never show an email address, and answer a sign-up the same whether the address
already follows the search or not, so nobody can find out who subscribes. Sending is
ontherecord.alerts'; the subscriptions are ontherecord.subscriptions'.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, abort, current_app, render_template, request, url_for

from ontherecord.alerts import MailSettings, in_background, send_confirmation
from ontherecord.subscriptions import (
    Followed,
    Subscription,
    Subscriptions,
    TooManySignUps,
    check_address,
)
from search_app.search import arguments, filters
from search_app.security import exempt
from search_app.store import archive

bp = Blueprint("alerts", __name__, url_prefix="/alerts")

INVALID = ("This confirmation link does not work: it is older than a week, or the alert was "
           "stopped. Sign up again from a search.")
GONE = "This alert is already stopped."


def mail() -> MailSettings:
    """The app's mail settings."""
    return MailSettings.from_config(current_app.config)


@bp.app_context_processor
def alerts_offered() -> dict:
    """Whether pages offer alerts: only when the site can send them."""
    return {"alerts_available": mail().ready}


def subscriptions() -> Subscriptions:
    """The archive's subscriptions (404 when there is no archive to keep them in)."""
    store = archive()
    if not store.root.is_dir():
        abort(404, "Email alerts are not available on this site.")
    return Subscriptions(store.alerts_path)


def sending() -> MailSettings:
    """The mail settings, or a 404 page that says alerts are not available."""
    settings = mail()
    if not settings.ready:
        abort(404, "Email alerts are not available on this site.")
    return settings


def followed_in(fields: Mapping[str, str]) -> Followed:
    """The search that the address or form fields name (?q=, ?speaker=… as on /search)."""
    return Followed(fields.get("q", "").strip(), filters(fields).without("session"))


def notice(title: str, message: str, subscription: Subscription | None = None,
           status: int = 200, **button: str):
    """A page that says one thing, about one followed search, perhaps with one button."""
    return render_template("alerts/notice.html", title=title, message=message,
                           followed=subscription.followed if subscription else None,
                           button=button), status


@bp.after_request
def private(response):
    """Pages at a secret address are neither cached nor indexed."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/")
def form():
    """The sign-up form for the search in the address."""
    sending()
    followed = followed_in(request.args)
    return render_template("alerts/subscribe.html", followed=followed,
                           hidden=arguments(followed.filters, q="", sort="", session=""))


@bp.post("/subscribe")
def subscribe():
    """Sign an address up for a search; "check your inbox" whether or not an email was due."""
    settings = sending()
    followed = followed_in(request.form).checked()
    address = check_address(request.form.get("email", ""))
    config = current_app.config
    try:
        token = subscriptions().sign_up(address, followed, request.remote_addr or "",
                                        config["ALERT_SIGNUPS_PER_HOUR"],
                                        config["ALERT_CONFIRM_MINUTES"])
    except TooManySignUps as e:
        abort(429, str(e))
    if token:
        in_background(send_confirmation, settings, address, followed, token)
    return render_template("alerts/sent.html", followed=followed)


@bp.get("/confirm/<token>")
def confirm_form(token: str):
    """The page a confirmation link opens: one button (mail scanners follow links, not forms)."""
    found = subscriptions().by_confirmation(token) or abort(404, INVALID)
    if found.confirmed_at:
        return notice("Alert confirmed", "This alert is on.", found)
    return notice("Confirm your alert", "Press Confirm to get an email whenever a newly "
                  "published session matches this search.", found,
                  action=url_for("alerts.confirm", token=token), label="Confirm")


@bp.post("/confirm/<token>")
def confirm(token: str):
    """Confirm a subscription: from now on, new sessions that match are alerted."""
    public = [s.id for s in archive().public_sessions()]
    found = subscriptions().confirm(token, public) or abort(404, INVALID)
    return notice("Alert confirmed", "You will get an email whenever a newly published "
                  "session matches this search. Every email has a link to stop them.", found)


@bp.get("/unsubscribe/<token>")
def unsubscribe_form(token: str):
    """The page an unsubscribe link opens: one button; ?all=1 stops every alert."""
    found = subscriptions().by_unsubscribe(token) or abort(404, GONE)
    everything = request.args.get("all") == "1"
    what = "every alert to this address" if everything else "the alerts for this search"
    return notice("Stop alerts", f"Press Stop to end {what}.", found,
                  action=url_for("alerts.unsubscribe", token=token,
                                 all="1" if everything else None), label="Stop")


@bp.post("/unsubscribe/<token>")
@exempt
def unsubscribe(token: str):
    """Stop a subscription (?all=1: all of its address's); twice is no error.

    A mail program's one-click unsubscribe (RFC 8058) posts here too.
    """
    subscriptions().unsubscribe(token, everything=request.args.get("all") == "1")
    return notice("Alerts stopped", "You will get no more of these alerts.")

