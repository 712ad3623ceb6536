"""Scheduled entry points: the nightly expiry of coupons, once per programme and local day at midnight."""

from __future__ import annotations

from tessera.coupons.services.expiry import coupons_expire_run
from tessera.messaging.jobs import register_job

EXPIRY_JOB = "coupons.expire"

register_job(EXPIRY_JOB, coupons_expire_run)
