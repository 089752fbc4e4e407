import pytest

from jefacture.settings import ConfigurationError, PlatformSettings, load


def test_defaults_describe_the_local_platform(monkeypatch):
    monkeypatch.delenv("AMQP_URI", raising=False)
    settings = load()
    assert settings.amqp_uri.startswith("pyamqp://") and settings.database_name("seal-vault") == "jefacture_seal_vault"


def test_every_bad_variable_is_named_in_one_message(monkeypatch):
    monkeypatch.setenv("AMQP_URI", "http://broker")
    monkeypatch.setenv("MAX_DELIVERY_ATTEMPTS", "0")
    with pytest.raises(ConfigurationError) as error:
        load(PlatformSettings)
    assert "AMQP_URI" in str(error.value) and "MAX_DELIVERY_ATTEMPTS" in str(error.value)


def test_routing_refuses_a_weak_payment_link_secret(monkeypatch):
    from jefacture_routing.settings import RoutingSettings

    monkeypatch.setenv("PAYMENT_LINK_SECRET", "short")
    with pytest.raises(ConfigurationError, match="PAYMENT_LINK_SECRET"):
        load(RoutingSettings)
