"""``/meldingen``: the citizen chooses how they hear about their dossiers.

The page only ever shows and changes the logged-in citizen's own preferences (there is no id
in the URL to tamper with); staff do not hold ``own_dossiers`` and get 403.
"""

import deform
from pyramid.httpexceptions import HTTPFound, HTTPNotFound
from pyramid.view import view_config

from loket import audit
from loket.i18n import _
from loket.notifications.channels import EMAIL, SMS, available_channels
from loket.notifications.forms import CHOICES, PreferencesSchema, choice_of
from loket.notifications.models import NotificationPreference
from loket.notifications.phones import parse_phone
from loket.resources import Root
from loket.security import Permission
from loket.web.forms import render_failure, render_form

FIELDS = ("by_email", "by_sms", "email", "mobile", "language")


def _form(request, available):
    schema = PreferencesSchema().bind(request=request, available=available)
    return deform.Form(schema, formid="meldingen", buttons=(deform.Button("save", _("Save")),))


def _current(request, preference, available) -> dict:
    if preference is None:  # nothing chosen yet: the ACM/IDM profile's address as a start
        return {"channel": choice_of(()), "email": request.user.email or "",
                "language": request.locale_name}
    number = parse_phone(preference.mobile) if preference.mobile else None
    return {"channel": choice_of(c for c in preference.channels if c in available),
            "email": preference.email or "", "mobile": number.display if number else "",
            "language": preference.language}


def _sent_to(preference, available) -> dict:
    """Where messages go now (what is saved, not what the form is being changed to)."""
    if preference is None:
        return {"sent_to": None, "sms_to": None}
    number = parse_phone(preference.mobile) if preference.mobile else None
    return {"sent_to": preference.email if EMAIL in available and preference.by_email else None,
            "sms_to": number.display if number and SMS in available and preference.by_sms
            else None}


@view_config(context=Root, name="meldingen", permission=Permission.OWN_DOSSIERS,
             renderer="loket:notifications/templates/preferences.jinja2",
             request_method=("GET", "POST"))
def preferences(context, request):
    if request.subpath:  # /meldingen/<anything> is no page of its own
        raise HTTPNotFound()
    available = available_channels(request.registry)
    preference = request.dbsession.get(NotificationPreference, request.user.id)
    if not available:  # this installation sends no e-mail nor SMS: nothing to choose
        return {"form": None}
    sent_to = _sent_to(preference, available)
    form = _form(request, available)
    if request.method != "POST":  # GET or HEAD
        return {"form": render_form(request, form,
                                    appstruct=_current(request, preference, available)),
                **sent_to}
    try:
        appstruct = form.validate(request.POST.items())
    except deform.ValidationFailure as failure:
        request.response.status = 400
        return {"form": render_failure(request, failure), **sent_to}

    channels = CHOICES[appstruct["channel"]]
    # Only the addresses a chosen channel needs are kept (data minimisation).
    wanted = {
        "by_email": EMAIL in channels,
        "by_sms": SMS in channels,
        "email": appstruct["email"] if EMAIL in channels else None,
        "mobile": parse_phone(appstruct["mobile"]).e164 if SMS in channels else None,
        "language": appstruct["language"],
    }
    if preference is None:
        preference = NotificationPreference(user_id=request.user.id)
        request.dbsession.add(preference)
    changed = sorted(f for f in FIELDS if getattr(preference, f) != wanted[f])
    for field, value in wanted.items():
        setattr(preference, field, value)
    request.dbsession.flush()
    # Which fields changed, never their values: addresses and numbers stay out of the trail.
    audit.record(request, "notifications.preferences_changed", "user", request.user.id,
                 channels=list(preference.channels), language=preference.language,
                 changed=changed)
    request.session.flash(request.localizer.translate(_("Your notification choices were saved.")))
    return HTTPFound(location=request.resource_path(context, "meldingen"))
