import io

import pytest
from django.core.management import call_command

# The real SMTP server of the mail tests.
from tests.webinars.conftest import smtp  # noqa: F401


@pytest.fixture
def worker():
    def run():
        out = io.StringIO()
        call_command("send_queued_mail", stdout=out)
        return out.getvalue()

    return run


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path
