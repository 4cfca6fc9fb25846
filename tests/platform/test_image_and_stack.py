"""The image, the compose stack and the dashboard, checked without a Docker engine."""

from __future__ import annotations

import fnmatch
import json
import re
import tomllib
from pathlib import Path

import yaml
from prometheus_client import REGISTRY

import flows.metrics  # noqa: F401  (registers cuewire's metrics)

ROOT = Path(__file__).parents[2]
DOCKER = ROOT / "docker"


def dockerfile() -> list[str]:
    return (DOCKER / "Dockerfile").read_text().replace("\\\n", " ").splitlines()


def test_the_image_runs_under_tini_as_a_non_root_user_with_a_healthcheck() -> None:
    lines = [ln.strip() for ln in dockerfile() if ln.strip() and not ln.startswith("#")]
    final = lines[max(i for i, ln in enumerate(lines) if ln.startswith("FROM")):]
    entry = json.loads(next(ln for ln in final if ln.startswith("ENTRYPOINT")).split(" ", 1)[1])
    assert entry[0].endswith("tini") and entry[1:] == ["--", "cuewire"]
    assert next(ln for ln in final if ln.startswith("USER")).split()[1] == "cuewire"
    health = next(ln for ln in final if ln.startswith("HEALTHCHECK"))
    assert "127.0.0.1:9464/livez" in health
    assert not any(re.search(r"pip install .*\[(dev|tools)\]", ln) for ln in lines), "no dev tooling"


def test_every_copied_path_exists_and_passes_the_dockerignore() -> None:
    ignore = [p.strip() for p in (ROOT / ".dockerignore").read_text().splitlines()
              if p.strip() and not p.startswith("#")]

    def included(path: str) -> bool:
        keep = True
        for pattern in ignore:
            negate = pattern.startswith("!")
            pat = pattern.lstrip("!").rstrip("/")
            if fnmatch.fnmatch(path, pat) or path.startswith(pat + "/") or fnmatch.fnmatch(path, pat + "/*"):
                keep = negate
        return keep

    copies = [ln.split()[1] for ln in dockerfile() if ln.startswith("COPY") and "--from" not in ln]
    assert copies
    for src in copies:
        assert (ROOT / src).exists(), src
        assert included(src.rstrip("/")), f"{src} is excluded by .dockerignore"
    assert not included(".venv") and not included("tests") and not included(".git")


def test_the_lock_pins_every_runtime_dependency_and_nothing_from_the_tools_or_dev_extras() -> None:
    lock = {ln.split("==")[0].lower().replace("_", "-"): ln.split("==")[1]
            for ln in (DOCKER / "requirements.lock").read_text().splitlines()
            if ln and not ln.startswith("#")}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]

    def name(req: str) -> str:
        return re.split(r"[<>=\[; ]", req, maxsplit=1)[0].lower().replace("_", "-")

    assert all(name(r) in lock for r in project["dependencies"]), "a runtime dependency is not locked"
    for extra in ("tools", "dev"):
        for req in project["optional-dependencies"][extra]:
            if not req.startswith("cuewire"):
                assert name(req) not in lock, f"{name(req)} from [{extra}] is in the runtime image"


def test_compose_gives_host_and_containers_each_an_address_they_can_reach() -> None:
    compose = yaml.safe_load((DOCKER / "compose.yaml").read_text())
    services = compose["services"]
    kafka = services["kafka"]["environment"]
    listeners = dict(item.split("://") for item in kafka["KAFKA_ADVERTISED_LISTENERS"].split(","))
    published = {p.split(":")[0] for p in services["kafka"]["ports"]}
    host_listener = next(name for name, addr in listeners.items() if addr.split(":")[1] in published)
    assert listeners[host_listener].startswith("localhost:"), "host clients must get an address they resolve"
    bootstrap = services["cuewire"]["environment"]["CUEWIRE_KAFKA_BOOTSTRAP"]
    assert bootstrap in listeners.values() and bootstrap.startswith("kafka:")
    for name, service in services.items():
        assert service.get("restart") in ("unless-stopped", "always", "on-failure"), name
        if name != "cuewire":  # the image's own HEALTHCHECK covers it
            assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (DOCKER / source).resolve().exists(), f"{name} mounts missing {source}"
    assert services["cuewire"]["depends_on"]["redis"]["condition"] == "service_healthy"


def test_the_dashboard_shows_what_the_platform_team_needs_from_metrics_the_flow_exports() -> None:
    dashboard = json.loads((ROOT / "deploy" / "grafana" / "cuewire.json").read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    exported = {m.name for m in REGISTRY.collect()}
    used = set(re.findall(r"\b((?:cuewire|bytewax)_[a-z_]+)", " ".join(exprs)))
    for metric in used:
        base = re.sub(r"_(bucket|sum|count|total)$", "", metric)
        known = base in exported or metric in exported or metric.startswith("bytewax_")
        assert known, f"{metric} is not exported"
    joined = " ".join(exprs)
    for needed in ("cuewire_records_in_total", "cuewire_event_to_alert_seconds_bucket",
                   "bytewax_kafka_consumer_lag", "cuewire_dead_letters_total", "cuewire_alerts_total",
                   "cuewire_alerts_held_total", "cuewire_redis_round_trips_per_batch"):
        assert needed in joined, needed
    assert "rule" in next(e for e in exprs if "cuewire_alerts_held_total" in e)
