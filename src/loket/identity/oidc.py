"""Login through ACM/IDM (OpenID Connect). Filled in by the login work."""


def includeme(config):
    pass
