"""The Helm chart, rendered by helm itself: what each pod of a 3-process cluster runs as."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).parents[2]
CHART = ROOT / "deploy" / "helm" / "cuewire"


def render(*sets: str) -> list[dict[str, Any]]:
    helm = subprocess.run(["bash", str(ROOT / "deploy" / "tools.sh"), "helm"], capture_output=True,
                          text=True, check=True).stdout.strip()
    args = [helm, "template", "cw", str(CHART), "--namespace", "signals", "--kube-version", "1.33.0"]
    for s in sets:
        args += ["--set", s]
    out = subprocess.run(args, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    return [d for d in yaml.safe_load_all(out.stdout) if d]


def one(docs: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    found = [d for d in docs if d["kind"] == kind]
    assert len(found) == 1, f"{len(found)} {kind}s"
    return found[0]


def expand(arg: str, env: dict[str, str]) -> str:
    """Kubernetes' $(VAR) expansion of container args."""
    return re.sub(r"\$\((\w+)\)", lambda m: env[m.group(1)], arg)


def test_three_replicas_give_each_pod_its_ordinal_as_process_id_and_every_address() -> None:
    docs = render("replicas=3")
    sts = one(docs, "StatefulSet")
    service = one(docs, "Service")
    assert sts["spec"]["replicas"] == 3
    assert sts["spec"]["podManagementPolicy"] == "Parallel", "processes must start together to join"
    assert service["spec"]["clusterIP"] == "None"
    assert sts["spec"]["serviceName"] == service["metadata"]["name"]
    assert service["spec"]["publishNotReadyAddresses"] is True

    container = sts["spec"]["template"]["spec"]["containers"][0]
    env_from_field = {e["name"]: e["valueFrom"]["fieldRef"]["fieldPath"]
                      for e in container["env"] if "fieldRef" in e.get("valueFrom", {})}
    assert env_from_field["CUEWIRE_PROCESS_ID"] == "metadata.labels['apps.kubernetes.io/pod-index']"
    plain = {e["name"]: e["value"] for e in container["env"] if "value" in e}
    assert plain["CUEWIRE_METRICS_PORT_PER_PROCESS"] == "false"

    name, svc, port = sts["metadata"]["name"], service["metadata"]["name"], 2101
    for ordinal in range(3):
        # What the kubelet runs in pod <name>-<ordinal>.
        args = [expand(a, {"CUEWIRE_PROCESS_ID": str(ordinal)}) for a in container["args"]]
        assert args[:2] == ["run", "--process-id"]
        assert args[2] == str(ordinal)
        addresses = args[args.index("--addresses") + 1].split(";")
        assert addresses == [f"{name}-{i}.{svc}.signals.svc.cluster.local:{port}" for i in range(3)]
        assert addresses[int(args[2])].startswith(f"{name}-{ordinal}."), "its own address is at its id"
    assert "--recovery-dir" in container["args"]


def test_each_pod_gets_its_own_recovery_volume_secrets_probes_and_a_locked_down_container() -> None:
    docs = render("replicas=5", "kafkaSasl.password=s3cret")
    sts = one(docs, "StatefulSet")
    assert len(expand(sts["spec"]["template"]["spec"]["containers"][0]["args"][4], {}).split(";")) == 5
    claim = sts["spec"]["volumeClaimTemplates"][0]
    assert claim["metadata"]["name"] == "recovery" and claim["spec"]["accessModes"] == ["ReadWriteOnce"]
    pod = sts["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert {"name": "recovery", "mountPath": "/var/lib/cuewire"} in container["volumeMounts"]
    secrets = {e["name"]: e["valueFrom"]["secretKeyRef"]["name"]
               for e in container["env"] if "secretKeyRef" in e.get("valueFrom", {})}
    assert set(secrets) == {"CUEWIRE_KAFKA_SASL_USERNAME", "CUEWIRE_KAFKA_SASL_PASSWORD", "CUEWIRE_REDIS_URL"}
    created = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Secret"}
    assert created[secrets["CUEWIRE_KAFKA_SASL_PASSWORD"]]["stringData"]["password"] == "s3cret"
    assert container["livenessProbe"]["httpGet"]["path"] == "/livez"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["resources"]["requests"]["cpu"] and container["resources"]["requests"]["memory"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert one(docs, "PodDisruptionBudget")["spec"]["maxUnavailable"] == 1
    monitor = one(docs, "PodMonitor")
    assert monitor["spec"]["podMetricsEndpoints"][0]["port"] == "metrics"


@pytest.mark.parametrize("sets", [("podMonitor.enabled=false", "podDisruptionBudget.enabled=false",
                                   "recovery.enabled=false", "kafkaSasl.existingSecret=k",
                                   "redis.existingSecret=r")])
def test_optional_parts_can_be_left_out(sets: tuple[str, ...]) -> None:
    docs = render(*sets)
    kinds = sorted(d["kind"] for d in docs)
    assert kinds == ["Service", "StatefulSet"]
    sts = one(docs, "StatefulSet")
    assert "volumeClaimTemplates" not in sts["spec"]
    assert "--recovery-dir" not in sts["spec"]["template"]["spec"]["containers"][0]["args"]
