"""An operator looks after the reminders in the console: Aigul's stand-up job is listed with
its schedule in words, its next run and its runs; switched off and on again it follows the
same rule as the REST API (back on from the next due time), each switch audited; an operator
without the reminders grant and a form without the CSRF token change nothing."""

from __future__ import annotations

import csv
import io
import time

from sqlalchemy import select

from relaybot.apps.reminders.models import ReminderJob, ReminderRun
from relaybot.store.models import AuditEntry
from relaybot.testing import RelaybotServer
from tests.apps.reminders.world import a_job, an_account
from tests.gateway.panel.conftest import Console, make_account


async def standup(server: RelaybotServer) -> int:
    """Aigul's stand-up on weekdays at 09:00 in Bishkek, which ran once."""
    assert server.system is not None
    now = time.time()
    job_id = await a_job(server.system, await an_account(server.system), now=now)
    async with server.system.sessions() as session, session.begin():
        session.add(
            ReminderRun(job_id=job_id, due_at=now - 86400, ran_at=now - 86399, result="sent")
        )
    return job_id


async def job_state(server: RelaybotServer, job_id: int) -> tuple[bool, float | None]:
    assert server.system is not None
    async with server.system.sessions() as session:
        job = await session.get(ReminderJob, job_id)
        assert job is not None
        return job.active, job.next_due_at


async def switches(server: RelaybotServer) -> list[tuple[str, str, str | None, str | None]]:
    assert server.system is not None
    async with server.system.sessions() as session:
        rows = await session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action.startswith("reminders.job."))
            .order_by(AuditEntry.id)
        )
        return [(a.actor, a.action, a.target, a.bot) for a in rows]


async def test_the_jobs_page_lists_a_job_with_its_schedule_next_run_and_runs(
    server, console: Console
):
    await make_account(server, "root", time_zone="Asia/Bishkek")
    job_id = await standup(server)
    await console.sign_in("root")

    home = await console.get("/admin")
    assert "/admin/reminders/" in home.text
    page = await console.get("/admin/reminders/jobs")
    assert page.status_code == 200
    assert "standup" in page.text and "office" in page.text
    assert "at 09:00" in page.text and "Monday" in page.text
    assert f"/admin/reminders/runs?f.job={job_id}" in page.text
    assert f'id="do-off-{job_id}"' in page.text and f'id="do-on-{job_id}"' not in page.text

    exported = await console.get("/admin/reminders/jobs.csv", params={"f.active": "yes"})
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert rows[0][:2] == ["No.", "Job"] and len(rows) == 2
    next_run = rows[1][rows[0].index("Next run")]
    assert next_run.endswith("09:00"), "the next run is shown in the operator's zone"
    none_off = await console.get("/admin/reminders/jobs.csv", params={"f.active": "no"})
    assert len(list(csv.reader(io.StringIO(none_off.text)))) == 1

    ran = await console.get("/admin/reminders/runs", params={"f.job": str(job_id)})
    assert ran.status_code == 200 and "1 row" in ran.text and "sent" in ran.text
    nothing = await console.get("/admin/reminders/runs", params={"f.job": "not a number"})
    assert nothing.status_code == 200 and "0 rows" in nothing.text
    for table in ("bots", "accounts"):
        listed = await console.get(f"/admin/reminders/{table}")
        assert listed.status_code == 200 and ("office" in listed.text or "aigul" in listed.text)
    bad = await console.get("/admin/reminders/jobs", params={"sort": "text; DROP TABLE x"})
    assert bad.status_code == 400


async def test_switching_a_job_off_and_on_goes_through_the_apps_rule_and_is_audited(
    server, console: Console
):
    await make_account(server, "root")
    job_id = await standup(server)
    await console.sign_in("root")
    _, first_due = await job_state(server, job_id)

    off = await console.post("/admin/reminders/jobs/act/off", {"key": str(job_id)})
    assert off.status_code == 200 and "standup is switched off." in off.text
    assert await job_state(server, job_id) == (False, None)
    on = await console.post("/admin/reminders/jobs/act/on", {"key": str(job_id)})
    assert on.status_code == 200 and "standup is switched on." in on.text
    assert await job_state(server, job_id) == (True, first_due)
    assert await switches(server) == [
        ("console:root", "reminders.job.off", str(job_id), "reminders"),
        ("console:root", "reminders.job.on", str(job_id), "reminders"),
    ]

    for key in ("999999", "nine", "1" * 40):
        missing = await console.post("/admin/reminders/jobs/act/off", {"key": key})
        assert missing.status_code == 409 and "There is no such job." in missing.text
    assert len(await switches(server)) == 2


async def test_an_operator_without_the_reminders_grant_is_refused(server, console: Console):
    await make_account(server, "desk", role="operator", grants=["helpdesk"])
    job_id = await standup(server)
    await console.sign_in("desk")
    home = await console.get("/admin")
    assert "/admin/reminders/" not in home.text
    for path in ("/admin/reminders/jobs", "/admin/reminders/jobs.csv", "/admin/reminders/runs"):
        assert (await console.get(path)).status_code == 403, path
    refused = await console.post("/admin/reminders/jobs/act/off", {"key": str(job_id)})
    assert refused.status_code == 403
    assert (await job_state(server, job_id))[0] is True
    assert await switches(server) == []


async def test_a_switch_without_the_csrf_token_is_refused(server, console: Console):
    await make_account(server, "root")
    job_id = await standup(server)
    await console.sign_in("root")
    missing = await console.post("/admin/reminders/jobs/act/off", {"key": str(job_id)}, csrf=False)
    assert missing.status_code == 403 and "CSRF" in missing.text
    assert (await job_state(server, job_id))[0] is True
    assert await switches(server) == []


async def test_a_russian_operator_reads_the_schedule_in_russian(server, console: Console):
    await make_account(server, "dilya", role="operator", grants=["reminders"], locale="ru")
    await standup(server)
    await console.sign_in("dilya")
    page = await console.get("/admin/reminders/jobs")
    assert page.status_code == 200
    assert "в 09:00, понедельник–пятница, Asia/Bishkek" in page.text
    assert "Выключить" in page.text and "Расписание" in page.text
    assert "aigul" not in page.text, "a login is people's data, hidden without the grant"
    accounts = await console.get("/admin/reminders/accounts")
    assert accounts.status_code == 200 and "aigul" not in accounts.text
