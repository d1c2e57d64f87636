import nh3

ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "h2", "h3", "h4",
    "table", "thead", "tbody", "tr", "th", "td", "a", "blockquote", "hr", "span",
}


def sanitize_html(html: str) -> str:
    """Information pages are formatted text: keep the formatting, drop anything active."""
    return nh3.clean(html or "", tags=ALLOWED_TAGS, attributes={"a": {"href"}, "td": {"colspan"}})
