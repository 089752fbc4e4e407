"""The ports of a private test platform stay out of the kernel's ephemeral range, where an outgoing connection could
take one between the check that it is free and the bind."""
from pathlib import Path

from jefacture import testing


def ephemeral_range() -> range:
    low, high = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    return range(low, high + 1)


def test_every_port_of_every_test_platform_lies_outside_the_ephemeral_range():
    ephemeral = ephemeral_range()
    for base in testing.PORT_BASES:
        ports = testing.platform_ports(base)
        assert len(ports) > 20 and all(0 < port < 65536 and port not in ephemeral for port in ports), base


def test_a_free_base_is_one_of_them():
    assert testing.free_port_base() in testing.PORT_BASES
