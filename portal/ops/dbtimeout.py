"""The statement timeout: PostgreSQL cancels a query that runs longer than
PORTAL_STATEMENT_TIMEOUT_MS (the dispatch pool: PORTAL_DISPATCH_STATEMENT_TIMEOUT_MS), set per
connection with `options=-c statement_timeout=…` (settings). A cancelled query reaches the
views as Django's OperationalError caused by psycopg's QueryCanceled: the API answers 503 in
its error shape, pages a 503 page (portal.ops.middleware)."""


def timeout_for(pool: str, web_ms: int, dispatch_ms: int) -> int:
    """The timeout of a process of `pool` ("dispatch", "web", or "" for commands)."""
    return dispatch_ms if pool == "dispatch" else web_ms


def connection_options(options: dict, timeout_ms: int) -> dict:
    """`options` (DATABASES' OPTIONS) with PostgreSQL's statement_timeout added (0: none)."""
    if timeout_ms <= 0:
        return options
    extra = f"-c statement_timeout={int(timeout_ms)}"
    current = options.get("options", "")
    return {**options, "options": f"{current} {extra}".strip()}


def is_query_cancelled(exc: BaseException | None) -> bool:
    """True when `exc` (or what caused it) is PostgreSQL cancelling a query: the statement
    timeout (SQLSTATE 57014)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if getattr(exc, "sqlstate", None) == "57014":
            return True
        exc = exc.__cause__ or exc.__context__
    return False
