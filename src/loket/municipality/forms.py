"""The form the functional administrator edits the municipality's identity with."""

import colander
import deform
from stdnum import bic
from stdnum.be import vat

from loket.i18n import _
from loket.identity import iban
from loket.web.forms import CSRFSchema, MemoryTmpStore

WEEKDAYS = [(0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")),
            (4, _("Friday")), (5, _("Saturday")), (6, _("Sunday"))]


def _checked(module, message):
    def validator(node, value):
        if value and not module.is_valid(value):
            raise colander.Invalid(node, message)
    return validator


def _text(title, validator=None, missing=colander.required, **kw):
    return colander.SchemaNode(colander.String(), title=title, validator=validator,
                               missing=missing, **kw)


class MunicipalitySchema(CSRFSchema):
    name = _text(_("Name of the municipality"), colander.Length(1, 200))
    ocmw_name = _text(_("Name of the OCMW"), colander.Length(0, 200), missing="")
    street = _text(_("Street"), colander.Length(1, 200))
    number = _text(_("Number"), colander.Length(1, 20))
    postcode = _text(_("Postcode"), colander.Regex(r"^[1-9]\d{3}$", _("Four digits.")))
    city = _text(_("Municipality"), colander.Length(1, 100))
    nis_code = _text(_("NIS code"), colander.Regex(r"^\d{5}$", _("Five digits.")),
                     description=_("Used to check that an applicant lives in the municipality."))
    kbo_municipality = _text(_("KBO number of the municipality"),
                             _checked(vat, _("Not a valid KBO number.")))
    kbo_ocmw = _text(_("KBO number of the OCMW"), _checked(vat, _("Not a valid KBO number.")),
                     missing="")
    iban = _text(_("IBAN"), _checked(iban, _("Not a valid IBAN.")))
    bic = _text(_("BIC"), _checked(bic, _("Not a valid BIC.")))
    email = _text(_("E-mail address"), colander.Email(_("Not a valid e-mail address.")))
    phone = _text(_("Phone number"), colander.Length(6, 30))
    website = _text(_("Website"), colander.url, missing="")
    logo = colander.SchemaNode(
        deform.FileData(), title=_("Logo"), missing=colander.drop,
        widget=deform.widget.FileUploadWidget(MemoryTmpStore(), accept="image/png,image/jpeg"),
        description=_("PNG or JPEG, at most 1 MB. Leave empty to keep the current logo."))
    college_weekday = colander.SchemaNode(
        colander.Integer(), title=_("College meets on"), validator=colander.OneOf(range(7)),
        widget=deform.widget.SelectWidget(values=WEEKDAYS))
    college_time = colander.SchemaNode(colander.Time(), title=_("at"),
                                       widget=deform.widget.TextInputWidget(input_type="time"))
    vast_bureau_weekday = colander.SchemaNode(
        colander.Integer(), title=_("Vast bureau meets on"), validator=colander.OneOf(range(7)),
        widget=deform.widget.SelectWidget(values=WEEKDAYS))
    vast_bureau_time = colander.SchemaNode(
        colander.Time(), title=_("at"), widget=deform.widget.TextInputWidget(input_type="time"))


def normalise(appstruct: dict) -> dict:
    """Store identifiers in their compact form."""
    appstruct = dict(appstruct)
    for key, module in (("kbo_municipality", vat), ("kbo_ocmw", vat), ("iban", iban),
                        ("bic", bic)):
        if appstruct.get(key):
            appstruct[key] = module.compact(appstruct[key])
    return appstruct
