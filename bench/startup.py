"""How long relaybot's commands take to answer, and how much memory they take doing it.

    python bench/startup.py              # 5 runs of each, medians printed
    python bench/startup.py --runs 9 --json

Each command runs as a new process, as a person at a shell starts it:

* `relaybot --help` and `relaybot orders list` (on a migrated SQLite file): wall time from
  spawn to exit, and the process's peak RSS (from wait4).
* `relaybot run` with only web chat bots, and again with a Telegram bot in webhook mode (the
  Bot API stand-in in this process): the time from spawn to the first `/health` answered 200,
  then one web chat page fetched and one Telegram update posted, answered and replied to;
  peak RSS (VmHWM) read from /proc after that, so Linux only.

Median, lowest and highest of `--runs`; the machine's load average is printed beside them,
since on a shared machine it moves every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from relaybot.testing import TelegramStandin, free_port
from relaybot.testing.processes import relaybot_env

TOKEN = "123456:bench-startup-token"
SECRET = "bench-startup-secret"
COMMAND = [sys.executable, "-m", "relaybot.cli"]


# Starts one command and reports its wall time, peak RSS (KiB) and exit code. It runs as a
# small process of its own: a child forked (or vfork-spawned) from this one would count this
# process's pages, touched before its exec, in its peak.
_STARTER = """
import os, sys, time
quiet = os.open(os.devnull, os.O_WRONLY)
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
print(time.perf_counter() - started, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def timed(args: list[str], *, cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Seconds from spawn to exit, and peak RSS in MiB, of one command."""
    done = subprocess.run(
        [sys.executable, "-c", _STARTER, *COMMAND, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds, peak_kib, code = done.stdout.split()
    if code != "0":
        raise RuntimeError(f"relaybot {' '.join(args)} exited with {code}")
    return float(seconds), int(peak_kib) / 1024


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc")


def telegram_update(chat: int, text: str) -> dict[str, Any]:
    person = {"id": chat, "is_bot": False, "first_name": "Bench", "language_code": "en"}
    return {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": chat, "type": "private", "first_name": "Bench"},
            "from": person,
            "text": text,
        },
    }


async def serve_once(
    workdir: Path, env: dict[str, str], telegram: TelegramStandin | None, config: Path | None
) -> dict[str, float]:
    """Start `relaybot run`, wait for its first answered request, use it a little, stop it."""
    port = free_port()
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        *COMMAND,
        *(["--config", str(config)] if config else []),
        "run",
        "--port",
        str(port),
        cwd=workdir,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=url, timeout=5.0) as http:
            while True:
                try:
                    if (await http.get("/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if process.returncode is not None:
                    raise RuntimeError("relaybot run exited before it answered")
                await asyncio.sleep(0.01)
            first = time.perf_counter() - started
            ready_rss = peak_rss_mib(process.pid)
            page = await http.get("/")
            page.raise_for_status()
            if telegram is not None:
                answer = await http.post(
                    "/webhook/telegram/water",
                    json=telegram_update(777, "/start"),
                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                )
                answer.raise_for_status()
                await telegram.wait_until(lambda: bool(telegram.sent_to(777)), timeout=30)
            await asyncio.sleep(1.0)  # let the loops the reply woke settle
            return {
                "first_request_s": first,
                "ready_rss_mib": ready_rss,
                "peak_rss_mib": peak_rss_mib(process.pid),
            }
    finally:
        if process.returncode is None:
            process.terminate()
            await process.wait()


def summary(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


async def measure(runs: int) -> dict[str, Any]:
    results: dict[str, Any] = {"load_average_before": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory(prefix="relaybot-startup-") as tmp:
        workdir = Path(tmp)
        env = relaybot_env(
            {"RELAYBOT_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'relaybot.db'}"}
        )
        timed(["migrate"], cwd=workdir, env=env)
        for name, args in (("help", ["--help"]), ("orders_list", ["orders", "list"])):
            samples = [timed(args, cwd=workdir, env=env) for _ in range(runs)]
            results[name] = {
                "seconds": summary([s for s, _ in samples]),
                "peak_rss_mib": summary([m for _, m in samples]),
            }
        webchat = [await serve_once(workdir, env, None, None) for _ in range(runs)]
        results["run_webchat"] = {key: summary([r[key] for r in webchat]) for key in webchat[0]}
        async with TelegramStandin() as telegram:
            config = workdir / "telegram.toml"
            config.write_text(
                "[[bots]]\n"
                'name = "water"\napp = "orders"\nchannel = "telegram"\nmode = "webhook"\n'
                f'token = "{TOKEN}"\nwebhook_secret = "{SECRET}"\napi_base = "{telegram.url}"\n',
                encoding="utf-8",
            )
            samples = [await serve_once(workdir, env, telegram, config) for _ in range(runs)]
        results["run_telegram"] = {key: summary([s[key] for s in samples]) for key in samples[0]}
    results["load_average_after"] = os.getloadavg()[0]
    return results


def show(results: dict[str, Any]) -> None:
    print(
        f"load average (1 min): {results['load_average_before']:.1f} before, "
        f"{results['load_average_after']:.1f} after, on {os.cpu_count()} cores"
    )
    rows = [
        ("relaybot --help", results["help"]["seconds"], results["help"]["peak_rss_mib"]),
        (
            "relaybot orders list",
            results["orders_list"]["seconds"],
            results["orders_list"]["peak_rss_mib"],
        ),
        (
            "relaybot run, web chat: first request",
            results["run_webchat"]["first_request_s"],
            results["run_webchat"]["peak_rss_mib"],
        ),
        (
            "relaybot run, + Telegram: first request",
            results["run_telegram"]["first_request_s"],
            results["run_telegram"]["peak_rss_mib"],
        ),
    ]
    print(f"{'':42} {'median s':>9} {'min':>6} {'max':>6} {'peak RSS MiB':>13}")
    for label, seconds, rss in rows:
        print(
            f"{label:42} {seconds['median']:9.2f} {seconds['min']:6.2f} {seconds['max']:6.2f}"
            f" {rss['median']:13.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()
    results = asyncio.run(measure(args.runs))
    show(results)
    if args.json:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
