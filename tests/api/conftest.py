import pytest


@pytest.fixture
def ingest(make_token):
    """The platform's ingest token."""
    return make_token("ingest", name="platform")


@pytest.fixture
def provision(make_token):
    return make_token("provision", name="provisioning")
