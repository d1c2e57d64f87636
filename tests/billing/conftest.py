from tests.stats.smtp import smtp_inbox  # noqa: F401
