"""Front-office throughput: the demo city served by the production server, loaded by wrk.

    python bench/frontoffice.py [--seconds 10] [--connections 16] [--workers 2]

Builds a throw-away demo city (SQLite in a temporary folder, or DATABASE_URL if set), starts
`lutetia run` (gunicorn, production mode) and loads, from another process (wrk, Debian's `wrk`
package), in the same run:

- a bare Django view returning a constant (`/healthz`: the whole middleware stack, no page),
- the home page, a content page and the search page, as an anonymous visitor.

It prints requests/s, p50 and p99 latency for each, and each page's ratio to the bare view.
Goal (issue 2): the anonymous home page at ≥ 0.5 of the bare view's requests/s.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LUTETIA = [sys.executable, "-m", "lutetia.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(data_dir: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LUTETIA_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        {
            "LUTETIA_MODE": "production",
            "LUTETIA_SECRET_KEY": secrets.token_urlsafe(50),
            "LUTETIA_DATA_DIR": str(data_dir),
            "LUTETIA_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LUTETIA_BASE_URL": f"http://127.0.0.1:{port}",
            "LUTETIA_LOG_LEVEL": "warning",
        }
    )
    return env


def wait_until_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback only)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server did not answer on {url} within {timeout:.0f} s")


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback only)
        return response.read().decode()


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def to_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * UNITS[unit]


def wrk(url: str, seconds: int, connections: int) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "--latency", "-t1", f"-c{connections}", f"-d{seconds}s", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = to_ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = to_ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": p50, "p99": p99, "non2xx": int(errors.group(1)) if errors else 0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is needed: apt-get install wrk", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="lutetia-bench-") as tmp:
        port = free_port()
        env = environment(Path(tmp) / "var", port)
        base = f"http://127.0.0.1:{port}"
        for step in (["migrate", "--noinput", "-v0"], ["demo", "-v0"]):
            subprocess.run(LUTETIA + step, env=env, cwd=tmp, check=True, stdout=subprocess.DEVNULL)
        server = subprocess.Popen(
            [*LUTETIA, "run", "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers)],
            env=env,
            cwd=tmp,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            wait_until_up(base + "/healthz")
            home = fetch(base + "/")
            nav = re.search(r'<nav[^>]*class="site-nav".*?</nav>', home, re.S)
            content_path = re.search(r'href="(/[^"]+/)"', nav.group(0)).group(1)
            main_text = re.sub(
                r"<[^>]+>",
                " ",
                re.search(r"<main.*?</main>", fetch(base + content_path), re.S).group(0),
            )
            word = max(re.findall(r"[^\W\d_]{6,}", main_text), key=len)
            targets = [
                ("bare view (/healthz)", "/healthz"),
                ("home page", "/"),
                (f"content page ({content_path})", content_path),
                (f"search page (q={word})", f"/search/?q={word}"),
            ]
            for _label, path in targets:  # warm every process's caches
                wrk(base + path, 2, args.connections)
            results = [
                (label, wrk(base + path, args.seconds, args.connections)) for label, path in targets
            ]
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)

    bare = results[0][1]["rps"]
    print(
        f"lutetia front office: gunicorn {args.workers} workers x 4 threads, "
        f"wrk 1 thread {args.connections} connections {args.seconds} s each, {os.cpu_count()} cores"
    )
    print(f"{'target':42} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>6} {'non-2xx':>8}")
    for label, r in results:
        print(
            f"{label:42} {r['rps']:9.1f} {r['p50']:8.2f} {r['p99']:8.2f} {r['rps'] / bare:6.2f} {r['non2xx']:8d}"
        )
    home_ratio = results[1][1]["rps"] / bare
    verdict = "met" if home_ratio >= 0.5 else "NOT met"
    print(f"goal: home page >= 0.5 x bare view: {home_ratio:.2f} ({verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
