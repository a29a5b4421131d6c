"""Deform renders through Loket's renderer: the widget's input type, and no autofocus where
the form did not ask for it."""

import colander
import deform


class Schema(colander.Schema):
    email = colander.SchemaNode(colander.String(),
                                widget=deform.widget.TextInputWidget(input_type="email"))
    choice = colander.SchemaNode(colander.String(), widget=deform.widget.RadioChoiceWidget(
        values=[("a", "A"), ("b", "B"), ("c", "C")]))


def test_input_type_and_no_stray_autofocus(app):
    html = deform.Form(Schema(), focus="off").render()
    assert 'type="email"' in html
    assert "autofocus=" not in html
    focused = deform.Form(Schema()).render()
    # The first field only, as Deform intends; never autofocus="False" on later options.
    assert focused.count("autofocus=") == 1 and 'autofocus="autofocus"' in focused


def test_a_group_of_options_is_a_fieldset_named_by_its_legend(app):
    from bs4 import BeautifulSoup

    html = BeautifulSoup(deform.Form(Schema(), focus="off").render(), "html.parser")
    radio = html.find("input", {"type": "radio"})
    fieldset = radio.find_parent("fieldset", class_="choice-group")
    assert fieldset is not None and fieldset.legend.get_text(strip=True) == "Choice"
    email = html.find("input", {"type": "email"})
    assert email.find_parent("fieldset", class_="choice-group") is None
    assert html.find("label", {"for": email["id"]}).get_text(strip=True) == "Email"
