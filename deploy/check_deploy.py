"""Offline checks of the deployment files (run by scripts/k8s-validate.sh): Kubernetes schemas and the pod rules
of every process on the rendered manifests, and the PromQL of the alerts and the dashboard against our metrics."""
import argparse
import ast
import json
import re
import sys
from pathlib import Path

import promql_parser
import yaml
from kubernetes_validate import utils as kubernetes_schemas

REPO = Path(__file__).resolve().parents[1]
# Custom resources: no schema ships with kubernetes-validate, so only their references are checked here.
CUSTOM_KINDS = {("keda.sh/v1alpha1", "ScaledObject"), ("keda.sh/v1alpha1", "TriggerAuthentication"),
                ("monitoring.coreos.com/v1", "PrometheusRule")}
# Metrics that other exporters provide: Prometheus itself, kube-state-metrics, prometheus_client's process collector.
EXTERNAL_METRICS = {"up", "kube_deployment_status_replicas_available", "kube_deployment_spec_replicas",
                    "process_start_time_seconds"}
QUANTITY = re.compile(r"^(\d+(?:\.\d+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$")
QUANTITY_FACTORS = {None: 1, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18,
                    "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
SAMPLE_SUFFIXES = {"Counter": ("_total", "_created"), "Gauge": ("",),
                   "Histogram": ("_bucket", "_sum", "_count", "_created"),
                   "Summary": ("", "_sum", "_count", "_created")}


def kind_name(doc: dict) -> str:
    return f"{doc['kind']}/{doc['metadata']['name']}"


def is_custom(doc: dict) -> bool:
    return (doc.get("apiVersion"), doc.get("kind")) in CUSTOM_KINDS


def schema_problems(docs: list[dict], versions: list[str]) -> list[str]:
    problems = []
    for doc in docs:
        if is_custom(doc):
            continue
        for version in versions:
            try:
                kubernetes_schemas.validate(doc, version, strict=True)
            except kubernetes_schemas.ValidationError as error:
                path = ".".join(str(part) for part in error.path) or "(top)"
                problems.append(f"{kind_name(doc)}: {path}: {error.message} (Kubernetes {version})")
            except kubernetes_schemas.SchemaNotFoundError as error:
                problems.append(f"{kind_name(doc)}: {error.message}")
    return problems


def quantity(value) -> float | None:
    match = QUANTITY.match(str(value))
    return float(match[1]) * QUANTITY_FACTORS[match[2]] if match else None


def _probe_port(probe: dict):
    for handler in ("httpGet", "grpc", "tcpSocket"):
        if handler in probe:
            return probe[handler]["port"]
    return None


def pod_problems(deployment: dict, present: set[tuple[str, str]]) -> list[str]:
    """The rules every process follows; the schemas cannot say that a field is required by us."""
    problems = []

    def require(condition: bool, message: str) -> None:
        if not condition:
            problems.append(f"{kind_name(deployment)}: {message}")

    template = deployment["spec"]["template"]
    pod = template["spec"]
    labels = template["metadata"].get("labels", {})
    annotations = template["metadata"].get("annotations", {})
    require(deployment["spec"]["selector"]["matchLabels"].items() <= labels.items(),
            "the selector does not match the pod template's labels")
    security = pod.get("securityContext", {})
    require(security.get("runAsNonRoot") is True, "the pod must set runAsNonRoot: true")
    require(security.get("seccompProfile", {}).get("type") == "RuntimeDefault",
            "the pod must use the RuntimeDefault seccomp profile")
    require(annotations.get("prometheus.io/scrape") == "true" and annotations.get("prometheus.io/path") == "/metrics",
            "the pod lacks the prometheus.io/scrape and prometheus.io/path annotations")
    volumes = {volume["name"]: volume for volume in pod.get("volumes", [])}
    for volume in volumes.values():
        claim = volume.get("persistentVolumeClaim", {}).get("claimName")
        require(claim is None or ("PersistentVolumeClaim", claim) in present,
                f"volume {volume['name']} claims {claim}, which is not in the manifests")
    declared_ports = set()
    for container in pod["containers"]:
        name = f"container {container['name']}"
        ports = {port.get("name"): port["containerPort"] for port in container.get("ports", [])}
        declared_ports |= set(ports.values())
        context = container.get("securityContext", {})
        require(context.get("readOnlyRootFilesystem") is True, f"{name} must set readOnlyRootFilesystem: true")
        require(context.get("allowPrivilegeEscalation") is False, f"{name} must set allowPrivilegeEscalation: false")
        require("ALL" in context.get("capabilities", {}).get("drop", []), f"{name} must drop ALL capabilities")
        resources = container.get("resources", {})
        for resource in ("cpu", "memory"):
            request, limit = (quantity(resources.get(bound, {}).get(resource, "")) for bound in ("requests", "limits"))
            require(request is not None and limit is not None and request <= limit,
                    f"{name} needs a {resource} request and limit, as quantities, the request no larger than the limit")
        for probe_name in ("readinessProbe", "livenessProbe"):
            probe = container.get(probe_name)
            require(probe is not None, f"{name} has no {probe_name}")
            if probe is not None:
                port = _probe_port(probe)
                require(port in ports or port in ports.values(),
                        f"{name}'s {probe_name} checks port {port}, which the container does not declare")
        mounts = container.get("volumeMounts", [])
        for mount in mounts:
            require(mount["name"] in volumes, f"{name} mounts {mount['name']}, which is not a volume of the pod")
        tmp = next((mount["name"] for mount in mounts if mount["mountPath"] == "/tmp"), None)
        require("emptyDir" in volumes.get(tmp, {}), f"{name} needs an emptyDir at /tmp (its root is read-only)")
        for source in container.get("envFrom", []):
            config_map = source.get("configMapRef", {}).get("name")
            require(config_map is None or ("ConfigMap", config_map) in present,
                    f"{name} reads ConfigMap {config_map}, which is not in the manifests")
    require(annotations.get("prometheus.io/port", "").isdigit()
            and int(annotations["prometheus.io/port"]) in declared_ports,
            "prometheus.io/port is not one of the pod's container ports")
    return problems


def service_problems(service: dict, deployments: list[dict]) -> list[str]:
    selector = service["spec"].get("selector", {})
    templates = [deployment["spec"]["template"] for deployment in deployments
                 if selector.items() <= deployment["spec"]["template"]["metadata"].get("labels", {}).items()]
    if not selector or not templates:
        return [f"{kind_name(service)}: its selector {selector} matches no Deployment's pods"]
    ports = {value for template in templates for container in template["spec"]["containers"]
             for port in container.get("ports", []) for value in (port.get("name"), port["containerPort"])}
    return [f"{kind_name(service)}: port {port['name']} targets {port.get('targetPort')}, which its pods do not declare"
            for port in service["spec"]["ports"] if port.get("targetPort", port["port"]) not in ports]


def reference_problems(docs: list[dict], present: set[tuple[str, str]]) -> list[str]:
    """Ingress backends and the custom resources point at objects of the same manifests."""
    problems = []
    service_ports = {doc["metadata"]["name"]: {port["name"] for port in doc["spec"]["ports"]} | {
        port["port"] for port in doc["spec"]["ports"]} for doc in docs if doc["kind"] == "Service"}
    for doc in docs:
        if doc["kind"] == "Ingress":
            for rule in doc["spec"].get("rules", []):
                for path in rule.get("http", {}).get("paths", []):
                    backend = path["backend"]["service"]
                    port = backend["port"].get("name", backend["port"].get("number"))
                    if port not in service_ports.get(backend["name"], set()):
                        problems.append(f"{kind_name(doc)}: {path['path']} goes to {backend['name']}:{port}, "
                                        "which no Service offers")
        elif doc["kind"] == "ScaledObject":
            target = doc["spec"]["scaleTargetRef"]["name"]
            if ("Deployment", target) not in present:
                problems.append(f"{kind_name(doc)}: scales Deployment {target}, which is not in the manifests")
            if not doc["spec"].get("triggers"):
                problems.append(f"{kind_name(doc)}: has no trigger")
            for trigger in doc["spec"].get("triggers", []):
                auth = trigger.get("authenticationRef", {}).get("name")
                if auth and ("TriggerAuthentication", auth) not in present:
                    problems.append(f"{kind_name(doc)}: uses TriggerAuthentication {auth}, "
                                    "which is not in the manifests")
    return problems


def check_manifests(path: Path, versions: list[str]) -> list[str]:
    docs = [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    if not docs:
        return [f"{path}: renders no resource"]
    present = {(doc["kind"], doc["metadata"]["name"]) for doc in docs}
    deployments = [doc for doc in docs if doc["kind"] == "Deployment"]
    problems = schema_problems(docs, versions) + reference_problems(docs, present)
    for deployment in deployments:
        problems += pod_problems(deployment, present)
    for service in (doc for doc in docs if doc["kind"] == "Service"):
        problems += service_problems(service, deployments)
    skipped = sorted(kind_name(doc) for doc in docs if is_custom(doc))
    print(f"{path.name}: {len(docs) - len(skipped)} resources checked against Kubernetes {', '.join(versions)}"
          + (f"; custom resources without a bundled schema, references checked only: {', '.join(skipped)}"
             if skipped else ""))
    return [f"{path.name}: {problem}" for problem in problems]


def defined_metrics(roots: list[Path]) -> set[str]:
    """Sample names of every prometheus_client metric created in the code (Counter("x_total") -> x_total...)."""
    names = set(EXTERNAL_METRICS)
    for root in roots:
        for source in root.rglob("*.py"):
            for node in ast.walk(ast.parse(source.read_text(), str(source))):
                if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)):
                    continue
                kind = getattr(node.func, "id", getattr(node.func, "attr", None))
                if kind in SAMPLE_SUFFIXES and isinstance(node.args[0].value, str):
                    base = node.args[0].value.removesuffix("_total") if kind == "Counter" else node.args[0].value
                    names |= {base + suffix for suffix in SAMPLE_SUFFIXES[kind]}
    return names


def promql_problems(where: str, expr: str, known: set[str]) -> list[str]:
    try:
        tree = promql_parser.parse(expr)
    except ValueError as error:
        return [f"{where}: invalid PromQL ({error}): {expr}"]
    used = []
    promql_parser.walk(tree, pre_visit=lambda node: used.append(node.name)
                       if isinstance(node, promql_parser.VectorSelector) else None)
    return [f"{where}: no code defines the metric {name}" for name in used if name and name not in known]


def check_alerts(path: Path, known: set[str]) -> list[str]:
    rule_file = yaml.safe_load(path.read_text())
    if (rule_file.get("apiVersion"), rule_file.get("kind")) != ("monitoring.coreos.com/v1", "PrometheusRule"):
        return [f"{path.name}: is not a monitoring.coreos.com/v1 PrometheusRule"]
    problems, count = [], 0
    for group in rule_file["spec"]["groups"]:
        for rule in group["rules"]:
            count += 1
            where = f"{path.name}: {rule.get('alert', rule.get('record', '?'))}"
            problems += promql_problems(where, rule["expr"], known)
            if "alert" in rule:
                if rule.get("labels", {}).get("severity") not in ("info", "warning", "critical"):
                    problems.append(f"{where}: needs a severity label of info, warning or critical")
                if not rule.get("annotations", {}).get("summary"):
                    problems.append(f"{where}: needs a summary annotation")
            if "for" in rule and not re.fullmatch(r"(\d+[smhdwy])+", str(rule["for"])):
                problems.append(f"{where}: 'for: {rule['for']}' is not a duration")
    print(f"{path.name}: {count} rules, PromQL parsed and metric names checked")
    return problems


def _grafana_free(expr: str) -> str:
    """Replace Grafana's variables so that the expression is plain PromQL."""
    return re.sub(r"\$\{?\w+\}?", ".*", re.sub(r"\$__\w+", "5m", expr))


def check_dashboard(path: Path, known: set[str]) -> list[str]:
    dashboard = json.loads(path.read_text())
    problems, seen_ids, targets = [], set(), 0
    panels = [panel for top in dashboard["panels"] for panel in [top, *top.get("panels", [])]]
    for panel in panels:
        where = f"{path.name}: panel {panel.get('id')} {panel.get('title')!r}"
        if panel.get("id") in seen_ids:
            problems.append(f"{where}: duplicate panel id")
        seen_ids.add(panel.get("id"))
        if "gridPos" not in panel:
            problems.append(f"{where}: has no gridPos")
        for target in panel.get("targets", []):
            targets += 1
            problems += promql_problems(where, _grafana_free(target["expr"]), known)
    for variable in dashboard.get("templating", {}).get("list", []):
        query = variable.get("definition", "")
        for metric in re.findall(r"label_values\((\w+)", query):
            if metric not in known:
                problems.append(f"{path.name}: variable {variable['name']}: no code defines the metric {metric}")
    print(f"{path.name}: {len(panels)} panels, {targets} queries parsed and metric names checked")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("rendered", nargs="+", type=Path, help="multi-document YAML from `kustomize build`")
    parser.add_argument("--kubernetes-version", action="append", dest="versions")
    parser.add_argument("--alerts", type=Path, default=REPO / "deploy/prometheus/alerts.yaml")
    parser.add_argument("--dashboard", type=Path, default=REPO / "deploy/grafana/jefacture-dashboard.json")
    args = parser.parse_args()
    problems = []
    for path in args.rendered:
        problems += check_manifests(path, args.versions or [kubernetes_schemas.latest_version()])
    known = defined_metrics([REPO / "lib", REPO / "services"])
    problems += check_alerts(args.alerts, known)
    problems += check_dashboard(args.dashboard, known)
    for problem in problems:
        print(f"INVALID {problem}", file=sys.stderr)
    print(f"{len(problems)} problem(s)" if problems else "all deployment files are valid")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
