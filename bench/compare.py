"""relaybot against aiogram 3 and python-telegram-bot 22 on the same order dialog.

    python bench/compare.py                 # everything; writes docs/benchmarks.md
    python bench/compare.py --dialogs 20000 --only relaybot-embedded,aiogram-redis
    python bench/compare.py --quick         # a short run: ratios only roughly, nothing written

Installs what it needs into ./.venv (the `bench` extra, as `python3 dev.py` does for tests) and
re-runs itself there. Each contender runs in its own process(es); the same driver
(bench/dialogs.py, with the Telegram stand-in in its process) plays the same dialogs against
each, one after the other. Redis for aiogram's RedisStorage and relaybot's scale-out queue is
a private `redis-server` started here; PostgreSQL is the one on 127.0.0.1:5432 (a throw-away
database is created and dropped). Contenders whose service is missing are skipped, loudly.

For every contender: dialog steps/s at saturation, webhook POST -> reply latency at a fixed
200 updates/s (p50/p99), peak RSS of the bot's processes and their RSS after `--dialogs`
finished dialogs (sampled at every 10% on the way, to show the slope). relaybot's embedded
process is also profiled with py-spy during a separate saturation run ("where the time goes").
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TOKEN = "123456:bench-token"
SECRET = "bench-secret-token"
PATH = "/webhook/telegram/bench"
BASELINE = "aiogram-redis"
PG_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_PIDS: list[int] = []  # the private redis-server, whose CPU counts for its users
NEEDED = ("relaybot", "aiogram", "telegram.ext", "tornado", "uvloop", "aiosqlite", "phonenumbers")


# -- environment ----------------------------------------------------------------------------
def ensure_environment() -> None:
    """Run inside ./.venv with the bench extra, installing it first when it is missing."""
    venv_python = ROOT / ".venv" / "bin" / "python"
    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve() or _missing():
        sys.path.insert(0, str(ROOT))
        import dev  # the project's own installer: creates .venv, pip installs the extras

        dev.ensure_environment("test,bench")
        os.execv(str(venv_python), [str(venv_python), __file__, *sys.argv[1:]])


def _missing() -> list[str]:
    import importlib.util

    return [name for name in NEEDED if importlib.util.find_spec(name) is None]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_port(port: int, processes: list[subprocess.Popen[bytes]], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                raise RuntimeError(f"{process.args!r} exited early with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {timeout} s")


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in reversed(processes):
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in reversed(processes):
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# -- RSS ------------------------------------------------------------------------------------
def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            text = Path(f"/proc/{pid}/task/{task}/children").read_text()
            found += [int(x) for x in text.split()]
    except OSError:
        pass
    return found


def _tree(roots: list[int]) -> Iterator[int]:
    """The processes and all their descendants, each once."""
    todo, seen = list(roots), set()
    while todo:
        pid = todo.pop()
        if pid not in seen:
            seen.add(pid)
            yield pid
            todo += _children(pid)


def rss_bytes(roots: list[int]) -> int:
    """Resident memory of the processes and all their descendants, summed."""
    total = 0
    for pid in _tree(roots):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def cpu_seconds(roots: list[int]) -> float:
    """User + system CPU time of the processes and their descendants, in seconds."""
    ticks = 0
    for pid in _tree(roots):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


class RssSampler:
    """Samples the bot's RSS every 0.2 s in a thread; keeps the peak."""

    def __init__(self, roots: list[int]) -> None:
        self.roots = roots
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, rss_bytes(self.roots))

    def now(self) -> int:
        value = rss_bytes(self.roots)
        self.peak = max(self.peak, value)
        return value

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


# -- services -------------------------------------------------------------------------------
@contextmanager
def private_redis(workdir: Path) -> Iterator[str | None]:
    """A redis-server of our own, so nobody else's keys or load share it."""
    binary = shutil.which("redis-server")
    if binary is None:
        yield None
        return
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_port(port, [process])
        REDIS_PIDS[:] = [process.pid]
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop([process])


def empty_redis(url: str) -> None:
    """Each contender starts on an empty Redis: the driver sends the same update ids to every
    contender, and relaybot's scale-out gateway would take them for repeats of the last run's."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.flushall()
    finally:
        client.close()


def postgres_database(name: str) -> str | None:
    """A fresh database on the local PostgreSQL, or None when there is no server."""
    psql = shutil.which("psql")
    if psql is None:
        return None
    for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
        done = subprocess.run(
            [psql, PG_URL, "-q", "-c", sql], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            return None
    return f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"


def drop_postgres_database(name: str) -> None:
    psql = shutil.which("psql")
    if psql is not None:
        subprocess.run(
            [psql, PG_URL, "-q", "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"],
            capture_output=True,
            check=False,
        )


# -- contenders -----------------------------------------------------------------------------
@dataclass
class Env:
    workdir: Path
    standin: str
    port: int
    redis_url: str | None
    python: str = sys.executable


@dataclass
class Contender:
    key: str
    title: str
    start: Callable[[Env], list[subprocess.Popen[bytes]]]
    ack_only: bool = False
    needs: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)


def _log(env: Env, name: str) -> Any:
    return open(env.workdir / f"{name}.log", "ab")


def start_bare(env: Env) -> list[subprocess.Popen[bytes]]:
    command = [env.python, "-m", "uvicorn", "bare_app:app", "--port", str(env.port)]
    command += ["--loop", "uvloop", "--http", "httptools", "--no-access-log"]
    command += ["--log-level", "warning"]
    return [subprocess.Popen(command, cwd=HERE, stderr=_log(env, "bare"))]


def _aiogram(storage: str) -> Callable[[Env], list[subprocess.Popen[bytes]]]:
    def start(env: Env) -> list[subprocess.Popen[bytes]]:
        command = [env.python, str(HERE / "contenders" / "aiogram_bot.py")]
        command += ["--port", str(env.port), "--api", env.standin, "--token", TOKEN]
        command += ["--secret", SECRET, "--storage", storage]
        command += ["--db", str(env.workdir / f"aiogram-{storage}.db")]
        if storage == "redis" and env.redis_url:
            command += ["--redis-url", env.redis_url]
        return [subprocess.Popen(command, stderr=_log(env, f"aiogram-{storage}"))]

    return start


def start_ptb(env: Env) -> list[subprocess.Popen[bytes]]:
    command = [env.python, str(HERE / "contenders" / "ptb_bot.py")]
    command += ["--port", str(env.port), "--api", env.standin, "--token", TOKEN]
    command += ["--secret", SECRET, "--db", str(env.workdir / "ptb.db")]
    return [subprocess.Popen(command, stderr=_log(env, "ptb"))]


def relaybot_toml(env: Env, database_url: str, *, queue_url: str | None = None) -> Path:
    """The order app on a Telegram bot whose API is the stand-in.

    Telegram's sending limits (30/s per bot, 1/s per chat), which relaybot enforces by default,
    are lifted: the stand-in imposes none and the other contenders enforce none.
    """
    folder = env.workdir / f"relaybot-{env.port}"
    folder.mkdir(exist_ok=True)
    lines = [
        f'database_url = "{database_url}"',
        "webchat_for_bundled_apps = false",
        'log_level = "warning"',
        'default_locale = "en"',
    ]
    if queue_url:
        lines.append(f'queue_url = "{queue_url}"')
    lines += [
        "[[bots]]",
        'name = "bench"',
        'app = "orders"',
        'channel = "telegram"',
        f'token = "{TOKEN}"',
        f'webhook_secret = "{SECRET}"',
        f'api_base = "{env.standin}"',
        "[bots.options]",
        "per_bot_per_second = 1000000.0",
        "per_bot_burst = 1000",
        "per_chat_per_second = 1000000.0",
        "per_chat_burst = 1000",
    ]
    (folder / "relaybot.toml").write_text("\n".join(lines) + "\n")
    return folder


def _relaybot_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("RELAYBOT_")}


def start_relaybot_embedded(env: Env) -> list[subprocess.Popen[bytes]]:
    folder = relaybot_toml(env, "sqlite+aiosqlite:///./data/relaybot.db")
    command = [env.python, "-m", "relaybot.cli", "run", "--port", str(env.port)]
    return [
        subprocess.Popen(
            command, cwd=folder, env=_relaybot_env(), stderr=_log(env, "relaybot-embedded")
        )
    ]


def _relaybot_scaleout(workers: int) -> Callable[[Env], list[subprocess.Popen[bytes]]]:
    def start(env: Env) -> list[subprocess.Popen[bytes]]:
        database = f"relaybot_bench_{os.getpid()}"
        url = postgres_database(database)
        if url is None or env.redis_url is None:
            raise RuntimeError("relaybot scale-out needs PostgreSQL on :5432 and redis-server")
        folder = relaybot_toml(env, url, queue_url=env.redis_url)
        base = [env.python, "-m", "relaybot.cli"]
        name = f"relaybot-scaleout-{workers}"
        subprocess.run([*base, "migrate"], cwd=folder, env=_relaybot_env(), check=True)
        processes = [
            subprocess.Popen(
                [*base, "gateway", "--port", str(env.port)],
                cwd=folder,
                env=_relaybot_env(),
                stderr=_log(env, name),
            ),
            subprocess.Popen(
                [*base, "sender"], cwd=folder, env=_relaybot_env(), stderr=_log(env, name)
            ),
        ]
        processes += [
            subprocess.Popen(
                [*base, "worker"], cwd=folder, env=_relaybot_env(), stderr=_log(env, name)
            )
            for _ in range(workers)
        ]
        return processes

    return start


CONTENDERS = [
    Contender("bare", "bare ASGI endpoint (200 only, the ceiling)", start_bare, ack_only=True),
    Contender("relaybot-embedded", "relaybot embedded (SQLite)", start_relaybot_embedded),
    Contender(
        "relaybot-scaleout-1",
        "relaybot scale-out (PostgreSQL + Redis), 1 worker",
        _relaybot_scaleout(1),
        needs=("redis", "postgres", "scaleout"),
    ),
    Contender(
        "relaybot-scaleout-2",
        "relaybot scale-out (PostgreSQL + Redis), 2 workers",
        _relaybot_scaleout(2),
        needs=("redis", "postgres", "scaleout"),
    ),
    Contender("aiogram-memory", "aiogram 3 FSM, MemoryStorage", _aiogram("memory")),
    Contender("aiogram-redis", "aiogram 3 FSM, RedisStorage", _aiogram("redis"), needs=("redis",)),
    Contender("ptb", "python-telegram-bot 22, ConversationHandler", start_ptb),
]


def scaleout_available() -> bool:
    """The Redis Streams queue is part of relaybot once `queue_url` selects it."""
    import importlib.util

    return importlib.util.find_spec("relaybot.runtime.redis_queue") is not None


# -- one contender --------------------------------------------------------------------------
@dataclass
class Outcome:
    contender: Contender
    saturation: dict[str, Any] = field(default_factory=dict)
    latency: dict[str, Any] = field(default_factory=dict)
    peak_rss: int = 0
    rss_series: list[tuple[int, int]] = field(default_factory=list)
    cpu_ms_per_step: float = 0.0
    error: str | None = None


def run_contender(
    contender: Contender, args: argparse.Namespace, workdir: Path, redis_url: str | None
) -> Outcome:
    outcome = Outcome(contender)
    port = free_port()
    driver_cmd = [sys.executable, str(HERE / "dialogs.py"), "--control"]
    driver_cmd += ["--bot-url", f"http://127.0.0.1:{port}{PATH}"]
    driver_cmd += ["--dialogs", str(args.dialogs), "--concurrency", str(args.concurrency)]
    driver_cmd += ["--rate", str(args.rate), "--duration", str(args.duration)]
    driver_cmd += ["--progress-every", str(max(1, args.dialogs // 10))]
    if contender.ack_only:
        driver_cmd.append("--ack-only")
    driver = subprocess.Popen(
        driver_cmd, cwd=HERE, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    bots: list[subprocess.Popen[bytes]] = []
    try:
        assert driver.stdout is not None and driver.stdin is not None
        ready = json.loads(driver.stdout.readline())
        env = Env(workdir, ready.get("standin") or "http://127.0.0.1:9", port, redis_url)
        bots = contender.start(env)
        wait_port(port, bots)
        time.sleep(1.0)  # start-up hooks (set_webhook, migrations) finish after the bind
        with RssSampler([p.pid for p in bots]) as rss:
            outcome.rss_series.append((0, rss.now()))
            driver.stdin.write("go\n")
            driver.stdin.flush()
            uses_redis = "redis" in contender.needs
            cpu_roots = [p.pid for p in bots] + (REDIS_PIDS if uses_redis else [])
            cpu_start = 0.0
            for line in driver.stdout:
                event = json.loads(line)
                kind = event.pop("event")
                if kind == "phase" and event.get("name") == "saturation":
                    cpu_start = cpu_seconds(cpu_roots)
                elif kind == "progress":
                    outcome.rss_series.append((int(event["dialogs"]), rss.now()))
                    print(f"    {event['dialogs']:>7} dialogs  {rss.now() / 2**20:7.1f} MiB RSS")
                elif kind == "latency":
                    outcome.latency = event
                    print(
                        f"    latency at {event['rate']:.0f}/s: p50 {event['p50_ms']} ms, "
                        f"p99 {event['p99_ms']} ms, failed {event['failed']}"
                    )
                elif kind == "saturation":
                    outcome.saturation = event
                    steps = max(1, int(event["steps"]))
                    outcome.cpu_ms_per_step = (cpu_seconds(cpu_roots) - cpu_start) * 1000 / steps
                    print(
                        f"    saturation: {event['steps_per_s']} steps/s, "
                        f"{event['dialogs']} dialogs, failed {event['failed_dialogs']} "
                        f"(errors {event['errors']}, timeouts {event['timeouts']}), "
                        f"{outcome.cpu_ms_per_step:.2f} CPU ms per step"
                    )
            time.sleep(1.0)
            outcome.rss_series.append((int(outcome.saturation.get("dialogs", 0)), rss.now()))
            outcome.peak_rss = rss.peak
        if driver.wait(timeout=60) != 0:
            outcome.error = f"the driver exited with {driver.returncode}"
    except Exception as exc:
        outcome.error = f"{type(exc).__name__}: {exc}"
    finally:
        stop(bots)
        if driver.poll() is None:
            driver.kill()
        driver.wait()
        for name in (f"relaybot_bench_{os.getpid()}",):
            if contender.key.startswith("relaybot-scaleout"):
                drop_postgres_database(name)
    return outcome


# -- profile --------------------------------------------------------------------------------
def profile_relaybot(args: argparse.Namespace, workdir: Path) -> dict[str, Any] | None:
    """py-spy samples relaybot embedded during a saturation run; collapsed stacks summed."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(py_spy).exists():
        return None
    port = free_port()
    driver = subprocess.Popen(
        [
            *(sys.executable, str(HERE / "dialogs.py"), "--control", "--rate", "0"),
            *("--bot-url", f"http://127.0.0.1:{port}{PATH}"),
            *("--dialogs", str(args.profile_dialogs), "--concurrency", str(args.concurrency)),
        ],
        cwd=HERE,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    bots: list[subprocess.Popen[bytes]] = []
    stacks = workdir / "relaybot.collapsed"
    try:
        assert driver.stdout is not None and driver.stdin is not None
        ready = json.loads(driver.stdout.readline())
        (workdir / "profile").mkdir(exist_ok=True)
        bots = start_relaybot_embedded(Env(workdir / "profile", ready["standin"], port, None))
        wait_port(port, bots)
        time.sleep(1.0)
        spy = subprocess.Popen(
            [
                *(py_spy, "record", "--pid", str(bots[0].pid), "--format", "raw"),
                *("--rate", "250", "--output", str(stacks), "--nonblocking"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(1.0)
        driver.stdin.write("go\n")
        driver.stdin.flush()
        driver.wait(timeout=3600)
        spy.send_signal(signal.SIGINT)
        spy.wait(timeout=60)
    finally:
        stop(bots)
        if driver.poll() is None:
            driver.kill()
    if not stacks.exists():
        return None
    from profile_summary import summarize

    if args.profile_out:
        shutil.copy(stacks, args.profile_out)
    summary = summarize(stacks)
    print(f"profile of relaybot embedded: {summary['samples']} samples")
    for name, share in summary["by_area"].items():
        print(f"  {share:5.1f}%  {name}")
    for name, share in summary["relaybot"]:
        print(f"  {share:5.1f}%  {name} (inclusive)")
    return summary


# -- report ---------------------------------------------------------------------------------
def machine() -> dict[str, str]:
    cpu = "unknown"
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kib = 0
    with open("/proc/meminfo") as info:
        for line in info:
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    pg = "not found"
    psql = shutil.which("psql")
    if psql:
        done = subprocess.run(
            [psql, PG_URL, "-tAc", "SHOW server_version"], capture_output=True, text=True
        )
        pg = done.stdout.strip() or "not reachable"
    redis = "not found"
    if shutil.which("redis-server"):
        redis = (
            subprocess.run(["redis-server", "--version"], capture_output=True, text=True)
            .stdout.split()[2]
            .removeprefix("v=")
        )
    import aiogram
    import telegram

    return {
        "CPU": f"{os.cpu_count()} cores, {cpu}",
        "RAM": f"{mem_kib / 2**20:.1f} GiB",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "SQLite": sqlite3.sqlite_version,
        "PostgreSQL": pg,
        "Redis": redis,
        "aiogram": aiogram.__version__,
        "python-telegram-bot": telegram.__version__,
    }


def mib(value: int) -> str:
    return f"{value / 2**20:.0f}"


def table(outcomes: list[Outcome], dialogs: int) -> list[str]:
    base = next((o for o in outcomes if o.contender.key == BASELINE and not o.error), None)
    base_rate = float(base.saturation.get("steps_per_s", 0)) if base else 0.0
    head = (
        f"| contender | steps/s | × aiogram+Redis | CPU ms per step | × aiogram+Redis "
        f"| p50 ms | p99 ms | peak RSS MiB | RSS after {dialogs:,} dialogs MiB "
        f"| RSS growth KiB per 1,000 dialogs, second half |"
    )
    rows = [head, "|" + "---|" * 10]
    base_cpu = base.cpu_ms_per_step if base else 0.0
    for o in outcomes:
        if o.error:
            rows.append(f"| {o.contender.title} | failed: {o.error} |" + " |" * 8)
            continue
        rate = float(o.saturation.get("steps_per_s", 0))
        ratio = f"{rate / base_rate:.2f}" if base_rate else "-"
        growth = "-"
        if len(o.rss_series) >= 3:
            # The second half of the run: start-up and first-use allocations are over by then.
            (d0, r0), (d1, r1) = o.rss_series[len(o.rss_series) // 2], o.rss_series[-1]
            if d1 > d0:
                growth = f"{(r1 - r0) / 1024 / ((d1 - d0) / 1000):.1f}"
        after = mib(o.rss_series[-1][1]) if o.rss_series else "-"
        ack = " (to the 200)" if o.contender.ack_only else ""
        cpu = f"{o.cpu_ms_per_step:.2f}" if o.cpu_ms_per_step else "-"
        cpu_ratio = f"{base_cpu / o.cpu_ms_per_step:.2f}" if base_cpu and o.cpu_ms_per_step else "-"
        rows.append(
            f"| {o.contender.title} | {rate:,.0f} | {ratio} | {cpu} | {cpu_ratio} "
            f"| {o.latency.get('p50_ms', '-')}{ack} "
            f"| {o.latency.get('p99_ms', '-')}{ack} | {mib(o.peak_rss)} | {after} | {growth} |"
        )
    return rows


def write_report(
    path: Path,
    *,
    outcomes: list[Outcome],
    args: argparse.Namespace,
    info: dict[str, str],
    loads: tuple[tuple[float, ...], tuple[float, ...]],
    skipped: list[str],
    profile: dict[str, Any] | None,
    took: float,
) -> None:
    lines = ["# Benchmarks: relaybot, aiogram 3 and python-telegram-bot 22", ""]
    notes = (HERE / "report_intro.md").read_text().strip()
    lines += [notes, "", "## The machine of this run", ""]
    lines += [f"- {k}: {v}" for k, v in info.items()]
    lines.append(
        f"- load average (1, 5, 15 min) before the run: {', '.join(f'{x:.2f}' for x in loads[0])};"
        f" after: {', '.join(f'{x:.2f}' for x in loads[1])}"
    )
    lines.append(
        f"- command: `python bench/compare.py --dialogs {args.dialogs} --concurrency "
        f"{args.concurrency} --rate {args.rate:g} --duration {args.duration:g}`, "
        f"{took / 60:.0f} minutes"
    )
    lines += ["", "## Results", ""]
    lines += table(outcomes, args.dialogs)
    lines.append("")
    for name in skipped:
        lines.append(f"- not run: {name}")
    lines += ["", "RSS on the way (MiB, at finished dialogs):", ""]
    for o in outcomes:
        if o.rss_series:
            series = ", ".join(f"{d:,}: {mib(r)}" for d, r in o.rss_series)
            lines.append(f"- {o.contender.title}: {series}")
    if profile:
        lines += ["", "## Where the time goes (relaybot embedded, py-spy, saturation)", ""]
        lines.append(
            f"{profile['samples']:,} samples of the relaybot process while it served "
            f"{args.profile_dialogs:,} dialogs. Share of the process's busy time by the code it "
            "was in (innermost frame of relaybot, its libraries, or the event loop):"
        )
        lines.append("")
        lines += [f"| {k} | {v:.1f}% |" for k, v in profile["by_area"].items()]
        lines.insert(len(lines) - len(profile["by_area"]), "|---|---|")
        lines.insert(len(lines) - len(profile["by_area"]) - 1, "| where | share |")
        lines += ["", "Hottest relaybot functions (inclusive):", ""]
        lines += [f"- `{name}` {share:.1f}%" for name, share in profile["relaybot"]]
    analysis = HERE / "report_analysis.md"
    if analysis.exists():
        lines += ["", analysis.read_text().strip()]
    path.write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dialogs", type=int, default=100_000, help="dialogs per contender")
    parser.add_argument("--concurrency", type=int, default=200, help="chats in flight")
    parser.add_argument("--rate", type=float, default=200, help="updates/s, latency run")
    parser.add_argument("--duration", type=float, default=20, help="seconds, latency run")
    parser.add_argument("--only", default="", help="comma-separated contender keys")
    parser.add_argument("--profile-dialogs", type=int, default=5000)
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--profile-out", type=Path, help="keep py-spy's collapsed stacks here")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--workdir", type=Path, help="keep logs and databases here")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a short run on request (CI): 1,000 dialogs a contender, 5 s latency runs, no "
        "profile, printed only (docs/benchmarks.md keeps the last full run)",
    )
    args = parser.parse_args()
    if args.quick:
        args.dialogs, args.duration, args.no_profile, args.no_write = 1000, 5.0, True, True
    ensure_environment()

    chosen = [c for c in CONTENDERS if not args.only or c.key in args.only.split(",")]
    started = time.time()
    loads_before = os.getloadavg()
    outcomes: list[Outcome] = []
    skipped: list[str] = []
    info = machine()
    print("\n".join(f"{k}: {v}" for k, v in info.items()))
    print(f"load average: {loads_before}")
    with tempfile.TemporaryDirectory(prefix="relaybot-compare-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        with private_redis(workdir) as redis_url:
            for contender in chosen:
                missing = [
                    need
                    for need in contender.needs
                    if (need == "redis" and redis_url is None)
                    or (need == "scaleout" and not scaleout_available())
                    or (need == "postgres" and shutil.which("psql") is None)
                ]
                if missing:
                    reason = f"{contender.title}: needs {', '.join(missing)}"
                    print(f"SKIPPED {reason}")
                    skipped.append(reason)
                    continue
                print(f"== {contender.title}", flush=True)
                if redis_url is not None:
                    empty_redis(redis_url)
                outcome = run_contender(contender, args, workdir, redis_url)
                if outcome.error:
                    print(f"    FAILED: {outcome.error}")
                outcomes.append(outcome)
        profile = None if args.no_profile else profile_relaybot(args, workdir)
    took = time.time() - started
    loads_after = os.getloadavg()
    print()
    print("\n".join(table(outcomes, args.dialogs)))
    print(f"load average before {loads_before}, after {loads_after}; {took / 60:.1f} min")
    if not args.no_write:
        write_report(
            args.output,
            outcomes=outcomes,
            args=args,
            info=info,
            loads=(loads_before, loads_after),
            skipped=skipped,
            profile=profile,
            took=took,
        )
        print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
