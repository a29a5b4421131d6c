"""``/handtekenmap``: the signing folder (permission ``sign``, granted to signatories by the
root ACL; each letter's own signatories are checked by the views)."""


class SigningFolder:
    __name__ = "handtekenmap"

    def __init__(self, parent, request):
        self.__parent__ = parent
        self.request = request

    def __getitem__(self, name):
        raise KeyError(name)
