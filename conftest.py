"""Fixtures for service and integration tests: each run gets its own vhost, databases and blob folder."""
import os

import pytest

from jefacture import testing
from jefacture.platform import Platform, addresses

AMQP_BASE = os.environ.get("AMQP_URI", "pyamqp://guest:guest@127.0.0.1:5672/")
MONGO_URI = os.environ.get("MONGO_URI", "mongodb://127.0.0.1:27017/")


@pytest.fixture
def vhost():
    """A vhost per test: durable queues left by one test never feed another's services."""
    name = testing.unique_name("jf-test-")
    testing.create_vhost(name)
    yield name
    testing.drop_vhost(name)


@pytest.fixture
def amqp_uri(vhost):
    return AMQP_BASE.rstrip("/") + "/" + vhost


@pytest.fixture
def platform_env(amqp_uri, tmp_path):
    """Environment of a private platform instance, on ports shifted away from the demo's and other runs'."""
    return {**addresses(base=testing.free_port_base()), "AMQP_URI": amqp_uri, "MONGO_URI": MONGO_URI,
            "MONGO_DB_PREFIX": testing.unique_name("t") + "_", "VAR_DIR": str(tmp_path / "var"),
            "MAX_DELIVERY_ATTEMPTS": "3", "SIRENE_RATE_LIMIT": "0"}


@pytest.fixture
def platform(platform_env, tmp_path):
    instance = Platform(platform_env, tmp_path / "var")
    yield instance
    instance.stop()
    testing.drop_databases(MONGO_URI, platform_env["MONGO_DB_PREFIX"])


@pytest.fixture
def capture(amqp_uri):
    captures = []

    def make(*bindings):
        captured = testing.EventCapture(amqp_uri, list(bindings))
        captures.append(captured)
        return captured

    yield make
    for captured in captures:
        captured.close()
