"""Fixtures of the integration modules that run one platform per module: each module defines its `stack`
(a `jefacture.testing.private_platform`); these reach it as people would."""
import httpx
import pytest

from jefacture import onboarding


@pytest.fixture(scope="module")
def api(stack):
    with httpx.Client(base_url=stack.env["PUBLIC_URL"], timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def mailbox(stack):
    return onboarding.Mailbox(stack.env["MAIL_HTTP_ADDRESS"])
