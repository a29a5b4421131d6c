"""Security headers on every response, with a fresh CSP nonce per request."""

import secrets

from pyramid.settings import asbool


def csp_nonce(request) -> str:
    return secrets.token_urlsafe(16)


def content_security_policy(nonce: str) -> str:
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ])


def security_headers_tween_factory(handler, registry):
    hsts = asbool(registry.settings.get("loket.hsts", False))

    def security_headers_tween(request):
        response = handler(request)
        headers = response.headers
        headers.setdefault("Content-Security-Policy", content_security_policy(request.csp_nonce))
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        headers["X-Frame-Options"] = "DENY"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if hsts:
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        # Pages about a logged-in person are never stored by browsers or proxies.
        if "Cache-Control" not in headers and (
            request.__dict__.get("user") is not None or "Set-Cookie" in headers
        ):
            headers["Cache-Control"] = "no-store"
        return response

    return security_headers_tween
