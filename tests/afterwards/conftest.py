import pytest

from tests.mail_worker import send_queued_mail

# The real SMTP server of the mail tests.
from tests.webinars.conftest import smtp  # noqa: F401


@pytest.fixture
def worker():
    def run():
        return send_queued_mail()

    return run


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path
