"""The `jefacture` command: one entry point, with subcommands, for people and tools."""
import argparse
import json
import os
import sys

from jefacture.settings import ConfigurationError, PlatformSettings, load

DEMO_FIRM_PORT = "8099"


def _platform(settings: PlatformSettings):
    """The local platform; without a firm webhook configured, a demo firm endpoint receives the deliveries."""
    from jefacture.platform import Platform, addresses

    env = {key: os.environ.get(key, default) for key, default in addresses().items()}
    if not os.environ.get("FIRM_WEBHOOK_URL"):
        env.update(DEMO_FIRM_WEBHOOK_PORT=DEMO_FIRM_PORT, FIRM_WEBHOOK_URL=f"http://127.0.0.1:{DEMO_FIRM_PORT}/hooks",
                   FIRM_WEBHOOK_SECRET="demo-firm-secret-not-for-production")
    return Platform(env, settings.var_dir)


def platform_command(args, settings: PlatformSettings) -> int:
    platform = _platform(settings)
    if args.action == "start":
        platform.start()
        print(f"platform started; logs in {platform.log_dir}/")
    elif args.action == "stop":
        platform.stop()
        print("platform stopped")
    else:
        for process in platform.processes():
            pid = platform.pid(process.name)
            print(f"{process.name:16} {'running pid ' + str(pid) if pid else 'stopped'}")
    return 0


def pki_command(args, settings: PlatformSettings) -> int:
    from jefacture_seal_vault.adapters.pki import ensure_dev_pki
    from jefacture_seal_vault.settings import SealVaultSettings

    files = ensure_dev_pki(load(SealVaultSettings).dev_pki_dir)
    print(f"development PKI ready: {files}")
    return 0


def demo_command(args, settings: PlatformSettings) -> int:
    from jefacture.demo import load_demo

    load_demo(args.gateway, args.invoices)
    return 0


def bench_command(args, settings: PlatformSettings) -> int:
    from jefacture.bench import bench_pipeline

    print(json.dumps(bench_pipeline(args.gateway, args.invoices, args.concurrency), indent=2))
    return 0


def dead_letters_command(args, settings: PlatformSettings) -> int:
    from jefacture.messaging import peek_dead_letters

    letters = peek_dead_letters(settings.amqp_uri, args.limit)
    for letter in letters:
        print(json.dumps(letter, default=str))
    print(f"{len(letters)} dead letter(s) shown", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="jefacture", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    platform = commands.add_parser("platform", help="start, stop or list the platform's processes")
    platform.add_argument("action", choices=["start", "stop", "status"])
    platform.set_defaults(run=platform_command)
    pki = commands.add_parser("pki", help="development PKI for the seal")
    pki.add_argument("action", choices=["init"])
    pki.set_defaults(run=pki_command)
    gateway_default = "http://127.0.0.1:8000"
    demo = commands.add_parser("demo", help="load a demo dossier with invoices through the gateway")
    demo.add_argument("--gateway", default=gateway_default)
    demo.add_argument("--invoices", type=int, default=5)
    demo.set_defaults(run=demo_command)
    bench = commands.add_parser("bench-pipeline", help="push invoices through the running platform and time them")
    bench.add_argument("--gateway", default=gateway_default)
    bench.add_argument("--invoices", type=int, default=100)
    bench.add_argument("--concurrency", type=int, default=4)
    bench.set_defaults(run=bench_command)
    dead = commands.add_parser("dead-letters", help="show dead-lettered events and why (left in the queue)")
    dead.add_argument("--limit", type=int, default=20)
    dead.set_defaults(run=dead_letters_command)
    args = parser.parse_args(argv)
    try:
        return args.run(args, load())
    except (ConfigurationError, RuntimeError) as error:
        print(f"jefacture: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
