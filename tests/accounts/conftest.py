import pytest


@pytest.fixture(autouse=True)
def _fresh_lockouts(db):
    """django-axes keeps failed attempts in the database: every test starts with none."""
    from axes.utils import reset

    reset()
    yield
    reset()
