"""Webhook ingest: relaybot's durable write + 200 against a bare FastAPI endpoint saying 200.

Both servers run as their own single process (uvicorn, uvloop, httptools). The load comes from
separate processes: `wrk` for the saturation rate, bench/loadgen.py for latency at a fixed rate.
Each request is a Telegram-shaped update with a unique update_id, sent to
`/webhook/telegram/bench` with the bot's secret header, so relaybot verifies, parses, and
commits every one (SQLite, WAL) before answering.

    python bench/ingest.py [--duration 10] [--rate 1000] [--connections 64]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
SECRET = "bench-secret-token"
LUA = r"""
local counter = 0
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function request()
  counter = counter + 1
  local id = tid * 100000000 + counter
  local chat = 20000000 + (id % 1000)
  local body = string.format(
    '{"update_id":%d,"message":{"message_id":%d,"date":1700000000,' ..
    '"chat":{"id":%d,"type":"private","first_name":"Load"},' ..
    '"from":{"id":%d,"is_bot":false,"first_name":"Load"},"text":"hello"}}',
    id, counter, chat, chat)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json",
    ["X-Telegram-Bot-Api-Secret-Token"] = "SECRET"}, body)
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise SystemExit(f"server exited early with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not become healthy")


def start_relaybot(workdir: Path, port: int) -> subprocess.Popen[bytes]:
    (workdir / "relaybot.toml").write_text(
        "webchat_for_bundled_apps = false\n"
        'log_level = "warning"\n'
        "[[bots]]\n"
        'name = "bench"\napp = "orders"\nchannel = "telegram"\n'
        'token = "123456:bench-token-not-used-by-the-gateway"\n'
        f'webhook_secret = "{SECRET}"\n'
        'api_base = "http://127.0.0.1:9"\n'
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELAYBOT_")}
    return subprocess.Popen(
        [sys.executable, "-m", "relaybot.cli", "gateway", "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(workdir / "gateway.log", "wb"),
    )


def start_bare(port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bare_app:app",
            "--port",
            str(port),
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        cwd=HERE,
    )


def wrk(url: str, lua: Path, *, duration: int, connections: int) -> float:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "-s", str(lua), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        raise SystemExit(f"{url}: {non_2xx.group(1)} requests failed under load:\n{out}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not match:
        raise SystemExit(f"could not read wrk's output:\n{out}")
    return float(match.group(1))


def fixed_rate(url: str, *, rate: float, duration: float, start_id: int) -> dict[str, object]:
    out = subprocess.run(
        [
            sys.executable,
            str(HERE / "loadgen.py"),
            "--url",
            url,
            "--rate",
            str(rate),
            "--duration",
            str(duration),
            "--start-id",
            str(start_id),
            "--header",
            f"X-Telegram-Bot-Api-Secret-Token={SECRET}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result: dict[str, object] = json.loads(out)
    return result


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--rate", type=float, default=1000)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed for the saturation run: apt-get install wrk")

    results: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory(prefix="relaybot-ingest-") as tmp:
        workdir = Path(tmp)
        lua = workdir / "telegram.lua"
        lua.write_text(LUA.replace("SECRET", SECRET))
        for name in ("bare FastAPI 200", "relaybot gateway"):
            port = free_port()
            process = start_bare(port) if name.startswith("bare") else start_relaybot(workdir, port)
            base = f"http://127.0.0.1:{port}"
            try:
                wait_healthy(base, process)
                url = f"{base}/webhook/telegram/bench"
                wrk(url, lua, duration=2, connections=args.connections)  # warm-up
                rps = wrk(url, lua, duration=args.duration, connections=args.connections)
                latency = fixed_rate(
                    url, rate=args.rate, duration=args.duration, start_id=9 * 10**9
                )
                results[name] = {"rps": rps, **latency}
            finally:
                stop(process)

    bare, relay = results["bare FastAPI 200"], results["relaybot gateway"]
    print(f"\nwebhook ingest, {os.cpu_count()} cores, {args.connections} connections")
    print(f"{'server':22} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8}  at {args.rate:.0f} req/s")
    for name, r in results.items():
        print(
            f"{name:22} {r['rps']:>9.0f} {r['p50_ms']:>8} {r['p99_ms']:>8}  "
            f"(achieved {r['achieved_rate']}/s, errors {r['errors']})"
        )
    ratio = float(relay["rps"]) / float(bare["rps"])  # type: ignore[arg-type]
    print(
        f"ratio relaybot/bare: {ratio:.2f} (goal >= 0.70); relaybot p99 {relay['p99_ms']} ms "
        f"(goal <= 5 ms)"
    )


if __name__ == "__main__":
    main()
