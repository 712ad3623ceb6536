"""The outbox relay: delivery, retry with back-off, dead letters, leases and pruning (one worker)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tessera.kit.clock import now
from tessera.kit.db import use_case
from tessera.messaging import conf
from tessera.messaging.models import OutboxMessage
from tessera.messaging.relay import outbox_deliver, outbox_drain, outbox_relay_for, register_handler
from tessera.messaging.services import outbox_claim, outbox_enqueue, outbox_mark_failed, outbox_prune, outbox_retry

pytestmark = pytest.mark.django_db

T0 = datetime(2027, 3, 1, 1, 0, tzinfo=UTC)


def enqueue(kind: str = "test.ping", **payload) -> OutboxMessage:
    with use_case():
        outbox_enqueue(kind=kind, payload=payload, now=now(), locale="ko")
    return OutboxMessage.objects.order_by("-id").first()


class Flaky:
    """A handler that fails ``failures`` times, then delivers; it remembers what it was given."""

    def __init__(self, failures: int = 0) -> None:
        self.failures, self.seen = failures, []

    def __call__(self, message: OutboxMessage) -> None:
        self.seen.append((message.id, message.attempts, message.payload, message.locale))
        if self.failures:
            self.failures -= 1
            raise ConnectionError("SMS gateway timed out")


class TestDelivery:
    def test_a_due_message_reaches_its_handler_once_and_is_marked_processed(self):
        handler = register_handler("test.ping", Flaky())
        with time_machine.travel(T0, tick=False):
            message = enqueue(member="mbr_1", points=120)
            assert outbox_drain() == {"processed": 1}
            assert outbox_drain() == {}  # nothing left: processed messages are never offered again
        message.refresh_from_db()
        assert handler.seen == [(message.id, 1, {"member": "mbr_1", "points": 120}, "ko")]
        assert (message.processed_at, message.attempts, message.last_error) == (T0, 1, "")

    def test_a_message_waits_for_its_available_at(self):
        handler = register_handler("test.ping", Flaky())
        with time_machine.travel(T0, tick=False) as clock, use_case():
            outbox_enqueue(kind="test.ping", payload={}, now=now(), available_at=T0 + timedelta(hours=1))
        with time_machine.travel(T0 + timedelta(minutes=59), tick=False) as clock:
            assert outbox_drain() == {}
            clock.shift(timedelta(minutes=1))
            assert outbox_drain() == {"processed": 1}
        assert len(handler.seen) == 1

    def test_a_kind_without_a_handler_waits_untouched_instead_of_using_up_its_attempts(self):
        register_handler("test.other", Flaky())
        message = enqueue("test.unhandled")
        assert outbox_drain() == {}
        message.refresh_from_db()
        assert (message.attempts, message.processed_at) == (0, None)

    def test_a_second_handler_for_one_kind_is_refused(self):
        register_handler("test.ping", Flaky())
        with pytest.raises(ValueError, match="already has a handler"):
            register_handler("test.ping", Flaky())

    def test_a_stopping_worker_delivers_nothing_more(self):
        register_handler("test.ping", Flaky())
        enqueue()
        conf.stopping.set()
        assert outbox_drain() == {}
        assert OutboxMessage.objects.get().processed_at is None


class TestRetry:
    def test_failures_back_off_one_then_two_then_four_minutes_and_record_the_error(self):
        handler = register_handler("test.ping", Flaky(failures=3))
        with time_machine.travel(T0, tick=False) as clock:
            message = enqueue()
            assert outbox_drain() == {"failed": 1}
            message.refresh_from_db()
            assert message.available_at == T0 + timedelta(minutes=1)
            assert "ConnectionError: SMS gateway timed out" in message.last_error
            assert outbox_drain() == {}  # not before its time
            clock.shift(timedelta(minutes=1))
            assert outbox_drain() == {"failed": 1}
            message.refresh_from_db()
            assert message.available_at == T0 + timedelta(minutes=1 + 2)
            clock.shift(timedelta(minutes=2))
            assert outbox_drain() == {"failed": 1}
            message.refresh_from_db()
            assert message.available_at == T0 + timedelta(minutes=3 + 4)
            clock.shift(timedelta(minutes=4))
            assert outbox_drain() == {"processed": 1}
        message.refresh_from_db()
        assert [attempt for _id, attempt, _p, _l in handler.seen] == [1, 2, 3, 4]
        assert (message.attempts, message.processed_at, message.last_error) == (4, T0 + timedelta(minutes=7), "")

    def test_after_the_last_attempt_a_message_is_a_dead_letter_until_retried(self, settings):
        settings.TESSERA_OUTBOX_ATTEMPTS_MAX = 3
        handler = register_handler("test.ping", Flaky(failures=3))
        with time_machine.travel(T0, tick=False) as clock:
            message = enqueue()
            outcomes = []
            for _ in range(4):
                outcomes.append(outbox_drain())
                clock.shift(timedelta(hours=1))
            assert outcomes == [{"failed": 1}, {"failed": 1}, {"dead": 1}, {}]
            assert outbox_claim(message_id=message.id, now=now(), lease=timedelta(minutes=5), attempts_max=3) is False
            # "Retry now" in admin: due at once, with a fresh set of attempts and the old error still shown.
            assert outbox_retry(message_ids=[message.id], now=now()) == 1
            message.refresh_from_db()
            assert (message.attempts, message.available_at) == (0, now())
            assert "SMS gateway" in message.last_error
            assert outbox_drain() == {"processed": 1}
        assert len(handler.seen) == 4

    def test_retry_leaves_processed_messages_alone(self):
        register_handler("test.ping", Flaky())
        message = enqueue()
        outbox_drain()
        assert outbox_retry(message_ids=[message.id], now=now()) == 0


class TestLease:
    def test_a_message_claimed_by_a_worker_that_died_reappears_when_the_lease_ends(self):
        handler = register_handler("test.ping", Flaky())
        with time_machine.travel(T0, tick=False) as clock:
            message = enqueue()
            # A worker claims it and dies before delivering.
            assert outbox_claim(message_id=message.id, now=now(), lease=conf.outbox_lease(), attempts_max=10)
            clock.shift(conf.outbox_lease() - timedelta(seconds=1))
            assert outbox_drain() == {}
            clock.shift(timedelta(seconds=1))
            assert outbox_drain() == {"processed": 1}
        assert [attempt for _id, attempt, _p, _l in handler.seen] == [2]

    def test_a_late_failure_report_does_not_push_back_the_next_workers_claim(self):
        with time_machine.travel(T0, tick=False) as clock:
            message = enqueue()
            lease = timedelta(minutes=5)
            assert outbox_claim(message_id=message.id, now=now(), lease=lease, attempts_max=10)  # worker A
            clock.shift(lease)
            assert outbox_claim(message_id=message.id, now=now(), lease=lease, attempts_max=10)  # worker B
            # Worker A, slow, finally reports its failure with its own claim's token (attempt 1).
            reported = outbox_mark_failed(message_id=message.id, attempts=1, error="late", retry_at=now())
        message.refresh_from_db()
        assert reported is False
        assert (message.attempts, message.available_at, message.last_error) == (2, T0 + 2 * lease, "")

    def test_two_deliveries_of_one_message_record_one_processing(self):
        """Idempotence is the handler's job; the relay only guarantees the message is marked once."""
        handler = register_handler("test.ping", Flaky())
        message = enqueue()
        assert outbox_deliver(message_id=message.id) == "processed"
        OutboxMessage.objects.filter(id=message.id).update(available_at=now())  # as if a lease had run out
        assert outbox_deliver(message_id=message.id) == "skipped"
        assert len(handler.seen) == 1


class TestRelayLoopAndPrune:
    def test_the_relay_tick_keeps_delivering_until_its_time_is_up(self, settings):
        settings.TESSERA_RELAY_POLL_SECONDS = 1
        handler = register_handler("test.ping", Flaky())
        enqueue()
        started = time.monotonic()
        outcomes = outbox_relay_for(seconds=0.3)
        assert outcomes == {"processed": 1}
        assert len(handler.seen) == 1
        assert 0.3 <= time.monotonic() - started < 5

    def test_prune_deletes_processed_messages_past_retention_and_keeps_the_rest(self, settings):
        settings.TESSERA_OUTBOX_ATTEMPTS_MAX = 1
        register_handler("test.ping", Flaky())
        register_handler("test.broken", Flaky(failures=1))
        with time_machine.travel(T0, tick=False):
            old = enqueue()
            dead = enqueue("test.broken")
            outbox_drain()
        with time_machine.travel(T0 + timedelta(days=40), tick=False):
            recent = enqueue()
            pending = enqueue("test.unhandled")
            outbox_drain()
            assert outbox_prune(processed_before=now() - conf.outbox_retention()) == 1
        assert set(OutboxMessage.objects.values_list("id", flat=True)) == {dead.id, recent.id, pending.id}
        assert old.id not in set(OutboxMessage.objects.values_list("id", flat=True))
