"""What a strict Content-Security-Policy blocks in the HTML of a page."""

from html.parser import HTMLParser

from django.conf import settings


class InlineCodeFinder(HTMLParser):
    """What a strict CSP (script-src/style-src 'self') would block in a page."""

    DATA_SCRIPTS = {"application/json", "application/ld+json"}

    def __init__(self):
        super().__init__()
        self.problems = []  # inline script: blocked by script-src 'self'
        self.style_problems = []  # inline style: blocked unless style-src allows it

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs:
            self.style_problems.append(f'<{tag} style="{attrs["style"]}">')
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...> (inline event handler)")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"<{tag} {name}='javascript:...'>")
        if tag == "script" and not attrs.get("src") and attrs.get("type") not in self.DATA_SCRIPTS:
            self.problems.append("<script> without src (inline script)")
        if tag == "style":
            self.style_problems.append("<style> element (inline style)")


def inline_code(html: str, *, styles_allowed: bool = False) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    return finder.problems if styles_allowed else finder.problems + finder.style_problems


def csp_allows_inline_styles() -> bool:
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    return "'unsafe-inline'" in directives.get("style-src", ())
