"""Where each role starts: the pages a feature offers as someone's work, in the main menu and
as the landing page after login.

A feature registers its page with ``config.add_start_page``; a user sees (and lands on the
first of) the pages whose permission they hold on the root and whose ``applies`` test, if any,
passes. So an adviser lands on the advice requests, a handler on the workbench, and a role
whose pages come with a later feature lands on the home page instead of an empty list.
"""

from collections.abc import Callable
from dataclasses import dataclass

from pyramid.i18n import TranslationString

INTROSPECTION_CATEGORY = "loket start pages"


@dataclass(frozen=True)
class StartPage:
    name: str  # the view name under the root: /<name>
    title: TranslationString
    permission: str
    order: int = 100  # lower first: the landing page is the first that applies
    applies: Callable | None = None  # (request) -> bool, when the permission alone is not enough
    landing: bool = True  # False: only a menu entry (e.g. the citizen's notification settings)

    @property
    def path(self) -> str:
        return f"/{self.name}"


def add_start_page(config, name: str, title, permission, *, order: int = 100,
                   applies: Callable | None = None, landing: bool = True):
    page = StartPage(name, title, str(permission), order, applies, landing)
    introspectable = config.introspectable(INTROSPECTION_CATEGORY, name, str(title),
                                           INTROSPECTION_CATEGORY)
    introspectable["page"] = page

    def register():
        pages = config.registry.setdefault("loket.start_pages", [])
        pages.append(page)
        pages.sort(key=lambda p: (p.order, p.name))

    config.action(("loket.start_page", name), register, introspectables=(introspectable,))


PERMITTED_KEY = "loket.start_pages.permitted"  # in the registry: principals → pages


def _named_on_root(root) -> frozenset[str]:
    return frozenset(principal for _action, principal, _permissions in root.__acl__)


def start_pages(request) -> list[StartPage]:
    """The pages the current user may use, in order; none for a visitor."""
    if request.user is None:
        return []
    # The root's ACL is fixed, so which pages someone may open depends only on which of the
    # principals it names they hold: decided once per such set (a handful per installation),
    # not a dozen ACL checks on every page's menu.
    named = _named_on_root(request.root)
    principals = tuple(p for p in request.principals if p in named)
    permitted = request.registry.setdefault(PERMITTED_KEY, {})
    pages = permitted.get(principals)
    if pages is None:
        pages = permitted[principals] = tuple(
            p for p in request.registry.get("loket.start_pages", ())
            if request.has_permission(p.permission, request.root))
    return [p for p in pages if p.applies is None or p.applies(request)]


def landing_path(request) -> str:
    return next((p.path for p in start_pages(request) if p.landing), "/")


def includeme(config):
    config.add_directive("add_start_page", add_start_page)
    config.add_request_method(start_pages, "start_pages", reify=True)
