"""The Content-Security-Policy header: every page loads only what Forge itself serves.

Django 5.2 has no CSP support of its own (6.0 adds it), hence this small middleware. Scripts
and style sheets come only from Forge's origin: no inline `<script>`, `<style>` or event
handler attributes anywhere. Style *attributes* stay allowed (`style-src-attr`): progress bars,
colour swatches and Django's admin set per-row values that way, and an attribute can neither
run script nor load anything from another origin. `<model-viewer>` reads textures through
`blob:` and `data:` URLs, compiles its mesh decoder to WebAssembly (`'wasm-unsafe-eval'`
allows that and nothing else: no JavaScript `eval`), and its shadow DOM carries one `<style>`
element, allowed by its hash alone.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse

HEADER = "Content-Security-Policy"

# The hash of the `<style>` in @google/model-viewer 4.4.0's shadow-DOM template. Upgrading
# model-viewer may change it: tests/e2e/test_browser_csp.py then fails and prints the new one.
MODEL_VIEWER_STYLE_HASH = "'sha256-PXtZZkJMMyc18o/DN1ZEFOJ2qEGq95IQbVaJFMOXOb0='"


def content_security_policy() -> str:
    """Return the policy, with `FORGE_CSP_MEDIA_ORIGINS` allowed for images and model files."""
    media = " ".join(settings.FORGE_CSP_MEDIA_ORIGINS)
    directives = {
        "default-src": "'self'",
        "script-src": "'self' 'wasm-unsafe-eval'",
        "style-src": f"'self' {MODEL_VIEWER_STYLE_HASH}",
        "style-src-attr": "'unsafe-inline'",
        "img-src": f"'self' data: blob: {media}",
        "connect-src": f"'self' data: blob: {media}",
        "media-src": f"'self' {media}",
        "worker-src": "'self' blob:",
        "font-src": "'self' data:",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value.strip()}" for name, value in directives.items())


class ContentSecurityPolicyMiddleware:
    """Send the policy on every response that does not set its own."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = content_security_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.DEBUG and response.status_code >= 400 and HEADER not in response:
            # Django's technical error pages (DEBUG only) are styled and scripted inline.
            return response
        response.headers.setdefault(HEADER, self.policy)
        return response
