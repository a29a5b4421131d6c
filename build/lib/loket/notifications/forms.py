"""The citizen's notification preferences form."""

import colander
import deform

from loket.i18n import LANGUAGES, _
from loket.notifications.channels import EMAIL, SMS
from loket.notifications.phones import parse_phone
from loket.web.forms import CSRFSchema

NONE, BOTH = "none", "both"
CHOICES = {  # form value → channels
    NONE: (),
    EMAIL: (EMAIL,),
    SMS: (SMS,),
    BOTH: (EMAIL, SMS),
}
CHOICE_TITLES = {
    NONE: _("No e-mail or text message: I look on this website or in Mijn Burgerprofiel"),
    EMAIL: _("By e-mail"),
    SMS: _("By text message (SMS)"),
    BOTH: _("By e-mail and by text message"),
}


def choices_for(available) -> list[str]:
    """The form values this installation can honour."""
    return [c for c, channels in CHOICES.items() if set(channels) <= set(available)]


def choice_of(channels) -> str:
    channels = set(channels)
    return next((c for c, chs in CHOICES.items() if set(chs) == channels), NONE)


def validate_mobile(node, value):
    number = parse_phone(value)
    if number is None:
        raise colander.Invalid(node, _(
            "This is not a valid phone number. Write it like 0470 12 34 56 or "
            "+32 470 12 34 56; a number abroad starts with + and its country code."))
    if not number.can_receive_sms:
        raise colander.Invalid(node, _(
            "This number cannot receive text messages. Give a mobile number."))


def _stripped(value):
    return (value.strip() or colander.null) if isinstance(value, str) else value


@colander.deferred
def _choice_widget(node, kw):
    return deform.widget.RadioChoiceWidget(
        values=[(c, CHOICE_TITLES[c]) for c in choices_for(kw["available"])])


@colander.deferred
def _choice_validator(node, kw):
    return colander.OneOf(choices_for(kw["available"]))


def _addresses_for_choice(node, value):
    """The channels chosen need their address; the error goes next to the missing field."""
    channels = CHOICES[value["channel"]]
    error = colander.Invalid(node)
    if EMAIL in channels and not value["email"]:
        error["email"] = _("Fill in the e-mail address to send the messages to.")
    if SMS in channels and not value["mobile"]:
        error["mobile"] = _("Fill in the mobile number to send the text messages to.")
    if error.children:
        raise error


class PreferencesSchema(CSRFSchema):
    """Bind with ``request`` and ``available`` (the channels this installation delivers)."""

    channel = colander.SchemaNode(
        colander.String(), title=_("How do you want to hear about changes in your dossiers?"),
        oid="channel", widget=_choice_widget, validator=_choice_validator)
    email = colander.SchemaNode(
        colander.String(), title=_("E-mail address"), missing="",
        preparer=_stripped,
        validator=colander.All(colander.Length(max=320),
                               colander.Email(_("This is not a valid e-mail address."))),
        widget=deform.widget.TextInputWidget(input_type="email", attributes={
            "autocomplete": "email"}))
    mobile = colander.SchemaNode(
        colander.String(), title=_("Mobile number"), missing="",
        description=_("For example 0470 12 34 56 or +32 470 12 34 56."),
        preparer=_stripped, validator=validate_mobile,
        widget=deform.widget.TextInputWidget(input_type="tel", attributes={
            "autocomplete": "tel"}))
    language = colander.SchemaNode(
        colander.String(), title=_("Language of the messages"), oid="language",
        widget=deform.widget.RadioChoiceWidget(values=list(LANGUAGES.items())),
        validator=colander.OneOf(list(LANGUAGES)))

    def validator(self, node, value):
        _addresses_for_choice(node, value)
