"""The `jefacture` command: one entry point, with subcommands, for people and tools."""
import argparse
import json
import os
import sys
from pathlib import Path

from jefacture.settings import ConfigurationError, PlatformSettings, load

DEMO_FIRM_PORT = "8099"


def _platform(settings: PlatformSettings):
    """The local platform, with a demo firm endpoint the demo data subscribes to the firm's webhooks."""
    from jefacture.platform import Platform, addresses

    env = {key: os.environ.get(key, default) for key, default in addresses().items()}
    env.update(DEMO_FIRM_WEBHOOK_PORT=DEMO_FIRM_PORT)
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
    from jefacture_seal_vault.settings import SealVaultSettings

    files = load(SealVaultSettings).ensure_dev_pki()
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


def _vault(signing: bool = False):
    from jefacture import mongo
    from jefacture.blobs import FileBlobStore
    from jefacture_seal_vault.adapters.sealing import Sealing
    from jefacture_seal_vault.adapters.vault import Vault, checkpoint_signer
    from jefacture_seal_vault.settings import SealVaultSettings

    settings = load(SealVaultSettings)
    mongo.connect(settings, "seal-vault")

    def refuse(message: bytes) -> bytes:
        raise RuntimeError("this command does not sign")

    sign = Sealing.from_settings(settings).cades.seal_detached if signing else refuse
    return Vault(FileBlobStore(settings.blobs_path), checkpoint_signer(sign, settings.trust_anchor_files()),
                 settings.retention_policy())


def vault_command(args, settings: PlatformSettings) -> int:
    from jefacture_seal_vault.domain.retention import VaultRefusal

    if args.action == "verify":
        from jefacture_seal_vault.audit import audit

        # Two passes a second apart, so that an operation caught between its two writes is not reported.
        result = audit(_vault(), every_signature=True, settle_seconds=1)
        for finding in result.findings:
            print(finding)
        print(f"{result.entries} ledger entries checked: "
              f"{'no discrepancy' if result.clean else f'{len(result.findings)} discrepancies'}")
        return 0 if result.clean else 1
    if not args.document_id:
        raise RuntimeError(f"'vault {args.action}' needs a DOCUMENT_ID")
    vault = _vault(signing=args.action == "export")
    try:
        if args.action == "export":
            return export_evidence(vault, args.document_id, Path(args.out or f"{args.document_id}-evidence.zip"))
        if args.action == "hold":
            vault.set_legal_hold(args.document_id, args.reason or "legal hold")
        elif args.action == "release":
            vault.release_legal_hold(args.document_id)
        else:
            vault.delete(args.document_id)
    except VaultRefusal as refusal:
        print(f"jefacture: {refusal}", file=sys.stderr)
        return 1
    print(f"{args.action}: done for {args.document_id}")
    return 0


def export_evidence(vault, document_id: str, out: Path) -> int:
    from jefacture_seal_vault.grpc_server import evidence_bundle
    from jefacture_seal_vault.settings import SealVaultSettings

    record = vault.get(document_id)
    if record is None or record.deleted:
        raise RuntimeError(f"no archived document {document_id!r}")
    out.write_bytes(evidence_bundle(vault, record, vault.blobs.get, load(SealVaultSettings)))
    print(f"evidence bundle written to {out}")
    return 0


def verify_command(args, settings: PlatformSettings) -> int:
    from jefacture_seal_vault.adapters.evidence import verify_bundle
    from jefacture_seal_vault.adapters.verification import (
        bundle_checkpoint_signed,
        bundle_seal_checks,
        pades_checks,
        report,
    )
    from jefacture_seal_vault.settings import SealVaultSettings

    path = Path(args.file)
    data = path.read_bytes()
    if data[:2] == b"PK":
        verdict = verify_bundle(data, bundle_seal_checks, bundle_checkpoint_signed)
        print(verdict.text())
        return 0 if verdict.ok else 1
    anchors = [Path(args.ca)] if args.ca else load(SealVaultSettings).trust_anchor_files()
    checks = pades_checks(data, anchors)
    print(report(checks, f"seal of {path}"), end="")
    return 0 if all(ok for ok, _ in checks) else 1


def bench_seal_command(args, settings: PlatformSettings) -> int:
    from jefacture.bench_seal import bench_seal

    print(json.dumps(bench_seal(args.documents), indent=2))
    return 0


def extract_command(args, settings: PlatformSettings) -> int:
    from jefacture_ocr.domain.reading import FIELD_NAMES, UnreadableDocument
    from jefacture_ocr.extract import extract

    path = Path(args.file)
    try:
        reading = extract(path.read_bytes(), path.name)
    except OSError as error:
        raise RuntimeError(f"cannot read {path}: {error.strerror}") from None
    except UnreadableDocument as error:
        raise RuntimeError(f"{path.name}: {error}") from None
    if args.json:
        print(json.dumps(reading.as_json(), ensure_ascii=False))
        return 0
    print(f"{path.name}: {reading.kind}, {reading.document_type}, {reading.page_count} page(s), "
          f"{reading.seconds * 1000:.0f} ms")
    for name in FIELD_NAMES:
        if name in reading.fields:
            print(f"  {name:<17} {reading.fields[name].value}  ({reading.fields[name].confidence:.2f})")
    for line in reading.vat_breakdown:
        print(f"  VAT {line.rate} %: base {line.base}, tax {line.tax}")
    for finding in reading.findings:
        print(f"  finding: {finding}")
    return 0


def import_clients_command(args, settings: PlatformSettings) -> int:
    from jefacture.client_import_cli import import_clients

    return import_clients(Path(args.file), args.firm, args.admin, args.mapping)


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
    vault = commands.add_parser("vault", help="the archive: verify the ledger, export evidence, legal holds")
    vault.add_argument("action", choices=["verify", "export", "hold", "release", "delete"])
    vault.add_argument("document_id", nargs="?")
    vault.add_argument("out", nargs="?", help="export: the zip to write")
    vault.add_argument("--reason", help="hold: why the document must be kept")
    vault.set_defaults(run=vault_command)
    verify = commands.add_parser("verify", help="check a sealed PDF or an evidence bundle (zip), offline")
    verify.add_argument("file")
    verify.add_argument("--ca", help="the trusted CA for a PDF (default: the configured seal CA)")
    verify.set_defaults(run=verify_command)
    bench_seal = commands.add_parser("bench-seal", help="seals per second and validation time")
    bench_seal.add_argument("--documents", type=int, default=100)
    bench_seal.set_defaults(run=bench_seal_command)
    extract = commands.add_parser("extract", help="read an invoice (PDF, image, Factur-X, CII, UBL) into fields")
    extract.add_argument("file")
    extract.add_argument("--json", action="store_true", help="one JSON object, the shape other tools rely on")
    extract.set_defaults(run=extract_command)
    clients = commands.add_parser("import-clients", help="import a firm's client dossiers from an Excel file")
    clients.add_argument("file", help=".xlsx or .xls; the header row is found and mapped like in the web import")
    clients.add_argument("--firm", required=True, help="the firm's SIREN or id")
    clients.add_argument("--as", dest="admin", required=True, help="e-mail of the firm admin the import is made for")
    clients.add_argument("--mapping", help='JSON {column index: field}; default: the suggested mapping')
    clients.set_defaults(run=import_clients_command)
    args = parser.parse_args(argv)
    try:
        return args.run(args, load())
    except (ConfigurationError, RuntimeError) as error:
        print(f"jefacture: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
