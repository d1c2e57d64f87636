import pytest


@pytest.fixture
def ingest(make_token):
    return make_token("ingest", name="pbx")


@pytest.fixture
def clinics(make_account):
    """4000 in Toronto, 5000 in Vancouver: each row's local time is read in its own zone."""
    return (
        make_account("4000", "CLINIQUE"),
        make_account("5000", "OTHER", timezone="America/Vancouver"),
    )
