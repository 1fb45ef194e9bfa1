"""Requests per second of the trial list under gunicorn, measured with wrk.

    python -m bench.serve --duration 30 --workers 2 --json bench/out/serve-10k.json [--mixed]

Starts gunicorn as production does (config/gunicorn.py, DJANGO_DEBUG off, static files
collected into a temporary directory) on a free local port against DATABASE_URL, waits
for /healthz, warms the workers up, then runs `wrk --latency` against /trials/. With
--mixed, wrk rotates through list URLs that mix searches, filters, sorts and pages
(bench/wrk.lua). Each worker's RSS is read from /proc every second to show whether
memory grows. gunicorn's access log is off (the app writes its own line per request).
wrk is installed with apt-get when missing; without it the run is skipped, saying why.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from .web import MISSPELLED, NARROWED, SEARCHES

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LIST = "/trials/"


def run(
    duration: int = 30,
    workers: int = 2,
    mixed: bool = False,
    *,
    connections: int = 8,
    page_cache: bool = True,
) -> dict:
    """Serve, load and measure; returns requests/s, latency percentiles, errors and worker RSS.

    `page_cache=False` sends a cookie, which makes every request render its page
    (catalogue.pagecache answers only visitors without cookies).
    """
    wrk = _wrk()
    if not wrk:
        return {"skipped": "wrk is not installed and `apt-get install -y wrk` did not work"}
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        env = _environment(Path(tmp), workers)
        _collectstatic(env)
        port = int(env["GUNICORN_BIND"].rsplit(":", 1)[1])
        base = f"http://127.0.0.1:{port}"
        log = open(Path(tmp) / "gunicorn.log", "w")  # noqa: SIM115 - closed below
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "--config", "config/gunicorn.py", "config.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_healthy(base, server)
            paths = _mixed_paths() if mixed else [LIST]
            for path in paths * 3:  # every worker compiles templates, connects, counts once
                _get(base + path)
            sampler = _RssSampler(server.pid)
            sampler.start()
            headers = [] if page_cache else ["-H", "Cookie: bench=uncached"]
            listed = paths if mixed else []
            result = _load(wrk, base, listed, duration, connections, Path(tmp), headers)
            sampler.stop()
        finally:
            _stop(server)
            log.close()
        tail = (Path(tmp) / "gunicorn.log").read_text(errors="replace").splitlines()[-20:]
    errors = [line for line in tail if "Traceback" in line or '"level": "ERROR"' in line]
    return {
        "url": LIST if not mixed else f"{len(paths)} list URLs in turn",
        "mixed": mixed,
        "page_cache": page_cache,
        "duration_s": duration,
        "workers": workers,
        "connections": connections,
        **result,
        "worker_rss_mb": sampler.summary(),
        "server_errors_in_log": errors,
    }


def _wrk() -> str | None:
    found = shutil.which("wrk")
    if found or not shutil.which("apt-get"):
        return found
    print("wrk is missing; installing it with apt-get", file=sys.stderr)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    if subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], **quiet).returncode:
        subprocess.run(["apt-get", "update", "-q"], **quiet)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], **quiet)
    return shutil.which("wrk")


def _environment(tmp: Path, workers: int) -> dict[str, str]:
    """Production settings on plain HTTP, static files collected into `tmp`."""
    (tmp / "bench_serve_settings.py").write_text(
        f"from config.settings import *  # noqa: F403\nSTATIC_ROOT = {str(tmp / 'static')!r}\n"
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tmp), str(ROOT)]),
        "DJANGO_SETTINGS_MODULE": "bench_serve_settings",
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_ACCESS_LOG": "0",
    }


def _collectstatic(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def _wait_healthy(base: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            if _get(base + "/healthz") == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer /healthz within {timeout}s")


def _get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=30) as response:
        response.read()
        return response.status


def _mixed_paths() -> list[str]:
    """List URLs as people use them: searches (some misspelled), filters, both, sorts, pages."""
    params = [
        {},
        *({"q": q} for q in SEARCHES),
        *({"q": q} for q in MISSPELLED),
        *NARROWED,
        {"status": "RECRUITING"},
        {"phase": "PHASE2", "cell_source": "umbilical_cord"},
        {"diabetes_type": "t2d", "country": "China"},
        {"route": "intramuscular", "diabetes_type": "limb_ischemia"},
        {"sort": "-enrollment"},
        {"sort": "start", "phase": "PHASE1"},
        {"page": 2},
        {"page": 5, "status": "COMPLETED"},
        {"include_out_of_scope": 1},
        {"age": 12, "diabetes_type": "t1d"},
        {"enrollment_min": 50, "start_year_min": 2015},
    ]
    return [f"{LIST}?{urlencode(p)}" if p else LIST for p in params]


def _load(wrk, base, paths, duration, connections, tmp: Path, headers: list[str]) -> dict:
    env = dict(os.environ)
    if paths:
        listed = tmp / "paths.txt"
        listed.write_text("\n".join(paths) + "\n")
        env["WRK_PATHS"] = str(listed)
    threads = min(2, connections)
    command = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "--latency",
        *headers,
        "-s",
        str(ROOT / "bench" / "wrk.lua"),
        base + LIST,
    ]
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("WRK_JSON "))
    numbers = json.loads(line.removeprefix("WRK_JSON "))
    seconds = numbers["duration_us"] / 1e6
    return {
        "requests": numbers["requests"],
        "requests_per_s": round(numbers["requests"] / seconds, 1),
        "latency_ms": {k: round(v / 1000, 1) for k, v in numbers["latency_us"].items()},
        "non_2xx": numbers["non_2xx"],
        "socket_errors": numbers["socket_errors"],
    }


class _RssSampler:
    """Every second, the resident memory of each gunicorn worker (a recycled worker is new)."""

    def __init__(self, master: int):
        self.master = master
        self.samples: dict[int, list[float]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while True:
            for pid in _children(self.master):
                rss = _rss_mb(pid)
                if rss is not None:
                    self.samples.setdefault(pid, []).append(rss)
            if self._stop.wait(1.0):
                return

    def summary(self) -> dict[str, dict]:
        return {
            str(pid): {
                "start": values[0],
                "end": values[-1],
                "peak": max(values),
                "samples": len(values),
            }
            for pid, values in self.samples.items()
        }


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


def _rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def _stop(server: subprocess.Popen) -> None:
    """SIGTERM: gunicorn lets the workers finish their requests and exits."""
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def table(result: dict) -> str:
    if "skipped" in result:
        return f"skipped: {result['skipped']}"
    lat = result["latency_ms"]
    lines = [
        f"{result['url']}: {result['requests_per_s']} requests/s over {result['duration_s']}s "
        f"({result['workers']} workers, {result['connections']} connections, "
        f"page cache {'on' if result['page_cache'] else 'off'})",
        f"latency ms  p50 {lat['p50']}  p90 {lat['p90']}  p95 {lat['p95']}  p99 {lat['p99']}  "
        f"max {lat['max']}",
        f"non-2xx {result['non_2xx']}  socket errors {result['socket_errors']}",
    ]
    for pid, rss in result["worker_rss_mb"].items():
        lines.append(
            f"worker {pid}: RSS start {rss['start']} MB, end {rss['end']} MB, "
            f"peak {rss['peak']} MB ({rss['samples']} samples)"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--mixed", action="store_true", help="rotate searches and filters")
    parser.add_argument(
        "--no-page-cache", action="store_true", help="render every page (send a cookie)"
    )
    parser.add_argument("--json", type=Path, help="write the result here")
    args = parser.parse_args(argv)
    result = run(
        args.duration,
        args.workers,
        args.mixed,
        connections=args.connections,
        page_cache=not args.no_page_cache,
    )
    print(table(result))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
