"""Running a batch's chains of videos on local processes or on a Ray cluster.

Both engines run the same :func:`formcheck.batch.work.run_chain` on each chain and
pass every progress message to the driver's ``on_event``; the rows they return are
the same whatever the engine and the number of workers.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Literal

from formcheck.batch.jobs import BatchError, Job
from formcheck.batch.work import Row, Task, run_chain

if TYPE_CHECKING:
    from multiprocessing.queues import Queue

Engine = Literal["local", "ray"]
OnEvent = Callable[[tuple[Any, ...]], None]
#: Seconds the driver waits for a result before it shows progress again.
POLL_S = 0.25

_events: Queue[tuple[Any, ...]] | None = None  # a local worker's line to the driver


def run(
    chains: Sequence[tuple[Job, ...]],
    task: Task,
    on_event: OnEvent,
    workers: int,
    engine: Engine = "local",
    address: str | None = None,
) -> list[Row]:
    """Check every chain, ``workers`` at a time; the rows, in no particular order.

    ``address``: a Ray cluster to join (default: start a Ray instance on this machine).
    """
    if not chains:
        return []
    if engine == "ray":
        return _run_ray(chains, task, on_event, workers, address)
    rows, broken = _run_local(chains, task, on_event, workers)
    # A worker that died (out of memory, a crash in native code) takes every chain
    # running in the pool with it: each of those is run again alone, so that only
    # the one to blame ends up with error rows.
    for chain in broken:
        again, lost = _run_local([chain], task, on_event, 1)
        died = "the worker process died checking it"
        rows += again + [_error(job, died) for c in lost for job in c]
    return rows


def _run_local(
    chains: Sequence[tuple[Job, ...]], task: Task, on_event: OnEvent, workers: int
) -> tuple[list[Row], list[tuple[Job, ...]]]:
    """The rows of the chains done, and the chains lost to a worker that died."""
    context = multiprocessing.get_context("spawn")  # MediaPipe's threads do not survive fork
    events: Queue[tuple[Any, ...]] = context.Queue()
    rows: list[Row] = []
    broken: list[tuple[Job, ...]] = []
    with ProcessPoolExecutor(
        min(workers, len(chains)), context, initializer=_start_worker, initargs=(events,)
    ) as pool:
        futures: dict[Future[list[Row]], tuple[Job, ...]] = {
            pool.submit(_run_in_worker, chain, task): chain for chain in chains
        }
        pending = set(futures)
        while pending:
            done, pending = wait(pending, POLL_S, FIRST_COMPLETED)
            _drain(events, on_event)
            for future in done:
                try:
                    rows += future.result()
                except BrokenProcessPool:
                    broken.append(futures[future])
    _drain(events, on_event)
    return rows, broken


def _start_worker(events: Queue[tuple[Any, ...]]) -> None:
    global _events
    _events = events


def _run_in_worker(chain: tuple[Job, ...], task: Task) -> list[Row]:
    assert _events is not None
    return run_chain(chain, task, _events.put)


def _drain(events: Queue[tuple[Any, ...]], on_event: OnEvent) -> None:
    while True:
        try:
            on_event(events.get_nowait())
        except queue.Empty:
            return


def _run_ray(
    chains: Sequence[tuple[Job, ...]],
    task: Task,
    on_event: OnEvent,
    workers: int,
    address: str | None,
) -> list[Row]:
    try:
        import ray
    except ImportError:
        raise BatchError("Ray is not installed: pip install 'formcheck[ray]'") from None
    try:
        ray.init(
            address=address,
            num_cpus=None if address else workers,
            include_dashboard=False,
            log_to_driver=False,
            logging_level=logging.ERROR,
        )
    except (ConnectionError, RuntimeError, ValueError) as e:
        raise BatchError(f"cannot start or join Ray ({address or 'local'}): {e}") from None
    try:
        inbox: Any = ray.remote(num_cpus=0)(_Inbox).remote()
        remote = ray.remote(num_cpus=1, max_retries=0)(_run_on_ray)
        refs = {remote.remote(chain, task, inbox): chain for chain in chains}
        rows: list[Row] = []
        pending = list(refs)
        while pending:
            done, pending = ray.wait(pending, num_returns=1, timeout=POLL_S)
            for event in ray.get(inbox.take.remote()):
                on_event(event)
            for ref in done:
                try:
                    rows += ray.get(ref)
                except ray.exceptions.RayError as e:
                    reason = f"the Ray task failed: {type(e).__name__}"
                    rows += [_error(job, reason) for job in refs[ref]]
        for event in ray.get(inbox.take.remote()):
            on_event(event)
        return rows
    finally:
        ray.shutdown()


class _Inbox:
    """A Ray actor holding the workers' progress messages until the driver takes them."""

    def __init__(self) -> None:
        self._events: list[tuple[Any, ...]] = []

    def put(self, event: tuple[Any, ...]) -> None:
        self._events.append(event)

    def take(self) -> list[tuple[Any, ...]]:
        events, self._events = self._events, []
        return events


def _run_on_ray(chain: tuple[Job, ...], task: Task, inbox: Any) -> list[Row]:
    import ray

    # A task blocked in ray.get gives its CPU back to Ray, which then starts
    # another chain on it: messages go without waiting, and only the last one is
    # waited for, so that the driver has them all once it has the rows.
    last: list[Any] = []

    def send(event: tuple[Any, ...]) -> None:
        last[:] = [inbox.put.remote(event)]

    rows = run_chain(chain, task, send)
    ray.get(last)
    return rows


def _error(job: Job, reason: str) -> Row:
    row = Row(job.name, job.client, job.exercise, job.day.isoformat(), "error")
    return replace(row, message=reason)
