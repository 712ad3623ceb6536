"""Every periodic task of Tessera, in one place (house style §5). Each makes one call.

Areas do not add huey tasks of their own: they register outbox handlers and programme jobs
(``relay.register_handler``, ``jobs.register_job``), which these ticks drive.

| task                     | when                  | what                                                       |
|--------------------------|-----------------------|------------------------------------------------------------|
| messaging.outbox_relay   | every minute          | deliver outbox messages as they fall due, for ~55 seconds   |
| messaging.jobs_due       | every 5 minutes       | run programme jobs whose local run time has passed          |
| messaging.outbox_prune   | daily, 03:17 UTC      | delete processed messages past the retention period         |

Several consumers (or a tick that overruns into the next) may run the same task at once; the claims on
outbox rows and job runs make that harmless.
"""

from __future__ import annotations

from huey import crontab

from tessera.kit.clock import now as clock_now
from tessera.messaging import conf
from tessera.messaging.jobs import jobs_run_due
from tessera.messaging.queue import huey
from tessera.messaging.relay import outbox_relay_for
from tessera.messaging.services import outbox_prune

# A tick that waited in the queue longer than its period is dropped: the next one does the same work.
RELAY_SECONDS = 55


@huey.periodic_task(crontab(minute="*"), name="messaging.outbox_relay", expires=60)
def outbox_relay_tick() -> None:
    outbox_relay_for(seconds=RELAY_SECONDS)


@huey.periodic_task(crontab(minute="*/5"), name="messaging.jobs_due", expires=300)
def jobs_due_tick() -> None:
    jobs_run_due()


@huey.periodic_task(crontab(minute="17", hour="3"), name="messaging.outbox_prune", expires=3600)
def outbox_prune_tick() -> None:
    outbox_prune(processed_before=clock_now() - conf.outbox_retention())
