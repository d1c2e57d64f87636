import pytest

from portal.webhooks.models import Webhook
from tests.webhooks import receiver as receivers

SECRET = "s3cr3t-partagé"


@pytest.fixture
def receiver():
    """The platform's endpoint: a real HTTP server on a free port."""
    found, server = receivers.start(SECRET)
    yield found
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def in_process(settings):
    """Deliveries run in the caller, as without REDIS_URL (`make run`)."""
    from portal.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.PORTAL_WEBHOOK_TIMEOUT = 3
    yield
    app.conf.task_always_eager = before


@pytest.fixture
def hook(db, receiver):
    """A webhook of every event and every account, to the receiver."""
    from portal.webhooks.services import save_webhook

    webhook, _ = save_webhook(
        "platform",
        {
            "url": receiver.url,
            "secret": SECRET,
            "events": ["message.status_changed", "oncall.changed"],
            "accounts": None,
        },
    )
    return webhook


@pytest.fixture
def provision(make_token):
    return make_token("provision", name="provisioning")


def only_webhook() -> Webhook:
    return Webhook.objects.get()
