"""Build the migration report, or queue it for the channel.

    html(services, charts=True) -> str      the document (`python -m bot report --out FILE`)
    queue(services, who) -> None            `/migrate report`: built by a job, uploaded to the channel
"""

from __future__ import annotations

import logging

from config.units import human_bytes
from core.message import Message, Section
from core.who import Who
from features.report import gather, page
from features.services import Services

log = logging.getLogger(__name__)

JOB = "features.report.api:post"


def html(services: Services, *, charts: bool = True) -> str:
    return page.render(gather.gather(services, charts=charts))


def queue(services: Services, who: Who, request_key: str) -> None:
    """Hand the report to the scheduler (it reads every feature and draws charts: seconds, never
    in Slack's ack). `request_key` makes a Slack retry queue it once."""
    if services.jobs is None:
        post(services, who.user_id, request_key)
        return
    services.jobs.run_soon(JOB, job_id=f"report:{request_key}", kwargs={"user_id": who.user_id,
                                                                       "request_key": request_key})


def post(services: Services, user_id: str, request_key: str) -> None:
    """The job: build the report and upload it to the channel."""
    report = gather.gather(services)
    data = page.render(report).encode("utf-8")
    stamp = report.generated_at.strftime("%Y%m%d-%H%M%S")
    caption = (f"Migration report for <@{user_id}>: {len(report.transfers)} transfer runs, "
               f"{len(report.validations)} validations, {len(report.cutover)} cutover steps, "
               f"{report.audit.entries if report.audit else 0} audit entries ({human_bytes(len(data))}, HTML).")
    try:
        services.upload(f"ferry-report-{stamp}.html", data, title=f"Migration report {stamp} UTC",
                        mimetype="text/html", comment=Message(caption), dedupe_key=f"report:{request_key}")
    except ValueError as e:  # larger than Ferry uploads: say so rather than fail silently in a job
        text = f":warning: The migration report for <@{user_id}> was not posted: {e}. `python -m bot report --out FILE` writes it."
        services.post(Message(text, [Section(text)]), dedupe_key=f"report:{request_key}:too-large")
        return
    log.info("report %s queued for upload (%d bytes)", request_key, len(data))
