"""Where each role starts: the pages a feature offers as someone's work, in the main menu and
as the landing page after login.

A feature registers its page with ``config.add_start_page``; a user sees (and lands on the
first of) the pages whose permission they hold on the root and, when a page names
``roles``, one of whose roles they hold. So an adviser lands on the advice requests, a handler
on the workbench, and a role whose pages come with a later feature lands on the home page
instead of an empty list.
"""

from dataclasses import dataclass

from pyramid.i18n import TranslationString

from loket.security import role_principal

INTROSPECTION_CATEGORY = "loket start pages"


@dataclass(frozen=True)
class StartPage:
    name: str  # the view name under the root: /<name>
    title: TranslationString
    permission: str
    order: int = 100  # lower first: the landing page is the first that applies
    # Only for holders of one of these roles (read from the principals: no query).
    roles: tuple[str, ...] = ()
    landing: bool = True  # False: only a menu entry (e.g. the citizen's notification settings)

    @property
    def path(self) -> str:
        return f"/{self.name}"


def add_start_page(config, name: str, title, permission, *, order: int = 100, roles=(),
                   landing: bool = True):
    page = StartPage(name, title, str(permission), order, tuple(map(role_principal, roles)),
                     landing)
    introspectable = config.introspectable(INTROSPECTION_CATEGORY, name, str(title),
                                           INTROSPECTION_CATEGORY)
    introspectable["page"] = page

    def register():
        pages = config.registry.setdefault("loket.start_pages", [])
        pages.append(page)
        pages.sort(key=lambda p: (p.order, p.name))

    config.action(("loket.start_page", name), register, introspectables=(introspectable,))


PERMITTED_KEY = "loket.start_pages.permitted"  # in the registry: principals → pages


def _deciding(request, pages) -> frozenset[str]:
    """The principals that decide which pages someone may open: those the root's ACL names
    and the pages' roles."""
    return frozenset(principal for _action, principal, _permissions in request.root.__acl__) \
        | {role for page in pages for role in page.roles}


def start_pages(request) -> tuple[StartPage, ...]:
    """The pages the current user may use, in order; none for a visitor."""
    if request.user is None:
        return []
    # The root's ACL is fixed, so which pages someone may open depends only on which of the
    # deciding principals they hold: decided once per such set (a handful per installation),
    # not a dozen ACL checks on every page's menu.
    pages = request.registry.get("loket.start_pages", ())
    deciding = _deciding(request, pages)
    principals = tuple(p for p in request.principals if p in deciding)
    permitted = request.registry.setdefault(PERMITTED_KEY, {})
    found = permitted.get(principals)
    if found is None:
        found = permitted[principals] = tuple(
            p for p in pages if request.has_permission(p.permission, request.root)
            and (not p.roles or any(role in principals for role in p.roles)))
    return found


def landing_path(request) -> str:
    return next((p.path for p in start_pages(request) if p.landing), "/")


def includeme(config):
    config.add_directive("add_start_page", add_start_page)
    config.add_request_method(start_pages, "start_pages", reify=True)
