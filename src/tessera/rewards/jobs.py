"""Scheduled entry points: the nightly lapse of unclaimed gifts, once per programme and local day at midnight."""

from __future__ import annotations

from tessera.messaging.jobs import register_job
from tessera.rewards.services import rewards_lapse_run

LAPSE_JOB = "rewards.lapse"

register_job(LAPSE_JOB, rewards_lapse_run)
