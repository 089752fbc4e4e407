"""Starting and stopping the platform's processes: one per service, plus the gRPC servers and the gateway."""
import base64
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import grpc
import httpx
from grpc_health.v1 import health_pb2, health_pb2_grpc

REPO = Path(__file__).resolve().parents[2]
NAMEKO_SERVICES = ["ingest", "ocr", "seal-vault", "validation", "routing", "billing", "payments", "reporting"]
GRPC_SERVERS = ["identity", "ingest", "reporting", "seal-vault", "validation", "routing"]
# Built by scripts/infra.sh from infra/oidc: the OpenID Provider standing in for ComptExpert.
OIDC_PROVIDER = REPO / "var" / "bin" / "oidc-provider"
OIDC_USERS = Path(__file__).with_name("simulators") / "data" / "oidc_users.json"
FIRM_CALLBACK_PATH = "/auth/firm/callback"


@dataclass(frozen=True)
class Process:
    name: str
    argv: list[str]
    ready: str  # "http://…/readyz" or "grpc://host:port"


def service_class(service: str) -> str:
    return "".join(part.capitalize() for part in service.split("-")) + "Service"


DEV_WEBHOOK_SECRETS_KEY = base64.urlsafe_b64encode(b"dev-webhook-secrets-not-for-prod").decode()


def addresses(base: int = 0) -> dict[str, str]:
    """Every listening address, shifted by `base` so that a test platform never meets the demo one."""
    env = {f"{env_name(svc)}_HTTP_ADDRESS": f"127.0.0.1:{9101 + i + base}"
           for i, svc in enumerate(NAMEKO_SERVICES)}
    for i, svc in enumerate(GRPC_SERVERS):
        env[f"{env_name(svc)}_GRPC"] = f"127.0.0.1:{50051 + i + base}"
        env[f"{env_name(svc)}_METRICS_ADDRESS"] = f"127.0.0.1:{9151 + i + base}"
    env["GATEWAY_ADDRESS"] = f"127.0.0.1:{8000 + base}"
    env["TSA_PORT"] = str(8098 + base)
    env["TSA_URL"] = f"http://127.0.0.1:{8098 + base}/"
    env["SMTP_URL"] = f"smtp://127.0.0.1:{8025 + base}"
    env["MAIL_HTTP_ADDRESS"] = f"127.0.0.1:{8026 + base}"
    env["PUBLIC_URL"] = f"http://{env['GATEWAY_ADDRESS']}"
    env["WEBHOOKS_TO_THIS_MACHINE"] = "1"  # the demo's and the tests' webhook receivers listen on localhost
    env["WEBHOOK_SECRETS_KEYS"] = DEV_WEBHOOK_SECRETS_KEY
    env["SIRENE_PORT"] = str(8091 + base)
    env["SIRENE_URL"] = f"http://127.0.0.1:{8091 + base}"
    env["SIRENE_API_KEY"] = "dev-sirene-key-not-for-production"
    env["BODACC_PORT"] = str(8092 + base)
    env["BODACC_URL"] = f"http://127.0.0.1:{8092 + base}"
    env["OIDC_PORT"] = str(8093 + base)
    env["OIDC_ISSUER"] = f"http://127.0.0.1:{8093 + base}"
    env["OIDC_CLIENT_ID"] = "jefacture-gateway"
    env["OIDC_CLIENT_SECRET"] = "dev-oidc-secret-not-for-production"
    # Chorus Pro behind PISTE: the API and, on a port of its own like PISTE's OAuth host, the token endpoint.
    env["CHORUS_PORT"] = str(8094 + base)
    env["CHORUS_OAUTH_PORT"] = str(8095 + base)
    env["CHORUS_API_URL"] = f"http://127.0.0.1:{8094 + base}"
    env["CHORUS_TOKEN_URL"] = f"http://127.0.0.1:{8095 + base}/api/oauth/token"
    env["CHORUS_CLIENT_ID"] = "dev-piste-client-not-for-production"
    env["CHORUS_CLIENT_SECRET"] = "dev-piste-secret-not-for-production"
    env["CHORUS_LOGIN"] = "dev-chorus-technical-account-not-for-production"
    env["CHORUS_PASSWORD"] = "dev-chorus-password-not-for-production"
    return env


def env_name(service: str) -> str:
    return service.upper().replace("-", "_")


def processes(env: dict[str, str]) -> list[Process]:
    """In start order: the consumers declare their queues before anything publishes."""
    python = sys.executable
    nameko = str(Path(python).with_name("nameko"))
    result = []
    if env.get("DEMO_FIRM_WEBHOOK_PORT"):
        port = env["DEMO_FIRM_WEBHOOK_PORT"]
        result.append(Process("firm-webhook", [python, "-m", "jefacture.webhook_sink", "--port", port],
                              f"http://127.0.0.1:{port}/"))
    mail_host, mail_port = env["MAIL_HTTP_ADDRESS"].rsplit(":", 1)
    result.append(Process("smtp-sink", [python, "-m", "jefacture.simulators.smtp_sink",
                                        "--port", env["SMTP_URL"].rsplit(":", 1)[1], "--http-port", mail_port,
                                        "--maildir", str(Path(env.get("VAR_DIR", "var")) / "mail")],
                          f"http://{mail_host}:{mail_port}/"))
    result.append(Process("tsa", [python, "-m", "jefacture.simulators.tsa", "--port", env["TSA_PORT"],
                                  "--pki", str(Path(env.get("VAR_DIR", "var")) / "pki")],
                          f"http://127.0.0.1:{env['TSA_PORT']}/"))
    result.extend(external_systems(env))
    for svc in NAMEKO_SERVICES:
        package = "jefacture_" + svc.replace("-", "_")
        http_address = env[f"{env_name(svc)}_HTTP_ADDRESS"]
        result.append(Process(svc, [nameko, "run", "--config", str(REPO / "services" / svc / "config.yml"),
                                    f"{package}.service:{service_class(svc)}"], f"http://{http_address}/readyz"))
    for svc in GRPC_SERVERS:
        package = "jefacture_" + svc.replace("-", "_")
        result.append(Process(f"{svc}-grpc", [python, "-m", f"{package}.grpc_server"],
                              f"grpc://{env[f'{env_name(svc)}_GRPC']}"))
    host, port = env["GATEWAY_ADDRESS"].rsplit(":", 1)
    result.append(Process("gateway", [python, "-m", "uvicorn", "--factory", "jefacture_gateway.app:create_app",
                                      "--host", host, "--port", port, "--no-access-log"],
                          f"http://{env['GATEWAY_ADDRESS']}/readyz"))
    return result


def external_systems(env: dict[str, str]) -> list[Process]:
    """The local stand-ins for ComptExpert (OpenID Provider), INSEE Sirene, BODACC and Chorus Pro (PISTE)."""
    python = sys.executable
    oidc = Process("oidc", [str(OIDC_PROVIDER), "--listen", f"127.0.0.1:{env['OIDC_PORT']}",
                            "--issuer", env["OIDC_ISSUER"], "--users", str(OIDC_USERS),
                            "--client-id", env["OIDC_CLIENT_ID"], "--client-secret", env["OIDC_CLIENT_SECRET"],
                            "--redirect-uri", env["PUBLIC_URL"] + FIRM_CALLBACK_PATH],
                   env["OIDC_ISSUER"] + "/.well-known/openid-configuration")
    sirene = Process("sirene", [python, "-m", "jefacture.simulators.sirene", "--port", env["SIRENE_PORT"],
                                "--api-key", env["SIRENE_API_KEY"],
                                "--rate-limit", env.get("SIRENE_RATE_LIMIT", "30")], env["SIRENE_URL"] + "/")
    bodacc = Process("bodacc", [python, "-m", "jefacture.simulators.bodacc", "--port", env["BODACC_PORT"]],
                     env["BODACC_URL"] + "/")
    chorus_pro = Process("chorus-pro", [python, "-m", "jefacture.simulators.chorus_pro",
                                        "--port", env["CHORUS_PORT"], "--oauth-port", env["CHORUS_OAUTH_PORT"],
                                        "--client-id", env["CHORUS_CLIENT_ID"],
                                        "--client-secret", env["CHORUS_CLIENT_SECRET"],
                                        "--login", env["CHORUS_LOGIN"], "--password", env["CHORUS_PASSWORD"],
                                        "--integration-seconds", env.get("CHORUS_INTEGRATION_SECONDS", "1")],
                         env["CHORUS_API_URL"] + "/")
    return [oidc, sirene, bodacc, chorus_pro]


def is_ready(process: Process) -> bool:
    if process.ready.startswith("grpc://"):
        try:
            with grpc.insecure_channel(process.ready.removeprefix("grpc://")) as channel:
                reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=1)
            return reply.status == health_pb2.HealthCheckResponse.SERVING
        except grpc.RpcError:
            return False
    try:
        return httpx.get(process.ready, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


class Platform:
    """The processes of one platform instance, with their PIDs and logs under `var_dir`."""

    def __init__(self, env: dict[str, str], var_dir: Path):
        self.env = {**os.environ, **env, "VAR_DIR": str(var_dir)}
        self.var_dir = Path(var_dir)
        self.run_dir = self.var_dir / "run"
        self.log_dir = self.var_dir / "log"
        self._children: dict[str, subprocess.Popen] = {}

    def processes(self, only: list[str] | None = None) -> list[Process]:
        return [p for p in processes(self.env) if only is None or p.name in only]

    def start(self, only: list[str] | None = None, timeout: float = 60) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for process in self.processes(only):
            if self.pid(process.name):
                continue
            with open(self.log_dir / f"{process.name}.log", "ab") as log_file:
                child = subprocess.Popen(process.argv, env=self.env, cwd=REPO, stdout=log_file,
                                         stderr=subprocess.STDOUT, start_new_session=True)
            self._children[process.name] = child
            (self.run_dir / f"{process.name}.pid").write_text(str(child.pid))
            self._wait_ready(process, child, timeout)

    def _wait_ready(self, process: Process, child: subprocess.Popen, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if child.poll() is not None:
                raise RuntimeError(f"{process.name} exited with code {child.returncode}; "
                                   f"see {self.log_dir / (process.name + '.log')}:\n{self.tail(process.name)}")
            if is_ready(process):
                return
            time.sleep(0.2)
        raise RuntimeError(f"{process.name} not ready after {timeout:.0f} s ({process.ready}):\n"
                           f"{self.tail(process.name)}")

    def tail(self, name: str, lines: int = 30) -> str:
        path = self.log_dir / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def pid(self, name: str) -> int | None:
        path = self.run_dir / f"{name}.pid"
        if not path.exists():
            return None
        pid = int(path.read_text())
        child = self._children.get(name)
        if child is not None and child.poll() is not None:
            path.unlink()
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            path.unlink()
            return None
        return pid

    def stop(self, only: list[str] | None = None, timeout: float = 15) -> None:
        for process in reversed(self.processes(only)):
            self.kill(process.name, signal.SIGTERM, timeout)

    def kill(self, name: str, signum: int = signal.SIGKILL, timeout: float = 15) -> None:
        pid = self.pid(name)
        if pid is None:
            return
        os.killpg(pid, signum)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.pid(name):
            time.sleep(0.1)
        if self.pid(name):
            os.killpg(pid, signal.SIGKILL)
            time.sleep(0.2)
        (self.run_dir / f"{name}.pid").unlink(missing_ok=True)
