"""The decision template: a sandboxed Jinja2 text with strict variables."""

from loket.decisions import drafting


def test_default_template_has_no_problems():
    assert drafting.static_problems(drafting.DEFAULT) == []


def test_unknown_variable_is_named_with_part_and_line():
    template = dict(drafting.DEFAULT, motivation="Regel een\nDe {{ aanvrager_naam }} vroeg.")
    [problem] = drafting.static_problems(template)
    assert problem.mapping == {"part": "motivation", "line": 2, "name": "aanvrager_naam"}


def test_syntax_error_is_named():
    template = dict(drafting.DEFAULT, articles=["ok", "{% if amount %}open"])
    [problem] = drafting.static_problems(template)
    assert problem.mapping["part"] == "articles[2]"


def test_unknown_key_of_the_answers_fails_at_render_not_later():
    template = dict(drafting.DEFAULT, title="{{ answers.bestaat_niet }}")
    values = {name: "" for name in drafting.VARIABLES} | {"answers": {}, "facts": []}
    try:
        drafting.render(template, values)
    except drafting.DraftError as exc:
        assert exc.message.mapping["part"] == "title"
    else:  # pragma: no cover
        raise AssertionError("rendered with an unknown key")


def test_the_sandbox_refuses_unsafe_attributes():
    template = dict(drafting.DEFAULT, title="{{ answers.__class__.__mro__ }}")
    values = {name: "" for name in drafting.VARIABLES} | {"answers": {}, "facts": []}
    try:
        drafting.render(template, values)
    except drafting.DraftError:
        pass
    else:  # pragma: no cover
        raise AssertionError("the sandbox let it through")


class Check:
    def __init__(self):
        self.problems = []

    def mapping(self, value, where, allowed, required=()):
        return value if isinstance(value, dict) else None

    def add(self, where, message):
        self.problems.append((where, message))


def test_publication_refuses_a_template_with_an_unknown_variable():
    check = Check()
    drafting.validate(check, dict(drafting.DEFAULT, title="{{ wie }}"), None)
    assert check.problems and "wie" in check.problems[0][1]
    check = Check()
    drafting.validate(check, drafting.DEFAULT, None)
    assert check.problems == []
