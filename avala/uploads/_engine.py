"""One implementation of every upload policy, two drivers.

An upload flow is a generator that yields *effects* and receives their results; it never does I/O itself:

- :class:`Call` ``(fn)``: an API operation, ``fn(api)`` (the driver's ``api``: resources of the client's transport);
- :class:`Send` ``(request)``: a storage request (:class:`~avala.uploads._storage.StorageRequest`), answered with the
  ``httpx.Response`` or a raised :class:`~avala.uploads._storage.StorageError`;
- :class:`Sleep` ``(seconds)``: a backoff that a stop cuts short (the flow then gets :class:`Stopped`);
- :class:`Local` ``(fn)``: blocking local work (stat, hashing, state writes), run in a worker thread by the async
  driver;
- :class:`Gather` ``(flows, limit)``: run sub-flows with at most ``limit`` in flight, in order, and return their
  results in order. **Fail fast**: the first error (not a :class:`Stopped`) stops new sub-flows from starting, wakes
  sleeping backoffs and makes sub-flows about to call the API or send bytes stop; the running ones drain; then the
  error is raised to the flow that yielded the Gather. Nested Gathers stop their own children only.

:class:`SyncDriver` runs a flow on threads (a Gather uses a thread pool of ``limit``), :class:`AsyncDriver` on
tasks of any event loop anyio supports (asyncio, trio); both check the stop before every API call and storage
request, and bound the storage requests in flight (``slots``) across every Gather. So the order of operations, the retry
decisions, the state transitions and the fail-fast rule are written once, in the flows (``_datasets.py``, and the
fleet flows), and a sync and an async client behave the same by construction.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from ._storage import AsyncStoragePlane, StoragePlane, StorageRequest

T = TypeVar("T")


class Stopped(Exception):
    """The run is stopping (another flow failed, or the caller interrupted it); this flow ends without an error of
    its own."""


@dataclass
class Call:
    """An API operation: ``fn(api)``, sync or awaited."""

    fn: Callable[[Any], Any]


@dataclass
class Send:
    """A storage request."""

    request: StorageRequest


@dataclass
class Sleep:
    """Wait ``seconds`` unless the run stops."""

    seconds: float


@dataclass
class Local:
    """Blocking local work: ``fn()``."""

    fn: Callable[[], Any]


@dataclass
class Gather:
    """Run ``flows`` with at most ``limit`` in flight; fail fast."""

    flows: Iterable[Flow[Any]]
    limit: int


Effect = Call | Send | Sleep | Local | Gather
Flow = Generator[Effect, Any, T]


class Stop:
    """A stop signal: set by the first failure of a Gather (or by the caller); setting it sets every child stop and
    wakes every sleeper. Threads sleep on it with :meth:`sleep`; tasks (on the event loop that sets it) with
    :meth:`async_sleep`."""

    def __init__(self, parent: Stop | None = None) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._children: set[Stop] = set()
        self._wakers: set[Any] = set()  # anyio events of the tasks sleeping on this stop
        self._parent = parent
        if parent is not None:
            with parent._lock:
                parent._children.add(self)
            if parent.is_set():
                self.set()

    def is_set(self) -> bool:
        """Whether the stop was signalled."""
        return self._event.is_set()

    def set(self) -> None:
        """Signal the stop, to this and every child."""
        self._event.set()
        with self._lock:
            children, wakers = list(self._children), list(self._wakers)
        for child in children:
            child.set()
        for waker in wakers:
            waker.set()

    def detach(self) -> None:
        """Forget this child stop (its Gather is over)."""
        if self._parent is not None:
            with self._parent._lock:
                self._parent._children.discard(self)

    def sleep(self, seconds: float) -> bool:
        """Sleep in this thread; True if the whole time passed, False if the stop came first."""
        return not self._event.wait(max(0.0, seconds))

    async def async_sleep(self, seconds: float) -> bool:
        """Sleep in a task (any event loop anyio supports); True if the whole time passed, False if the stop came
        first."""
        import anyio

        waker = anyio.Event()
        with self._lock:
            self._wakers.add(waker)
        try:
            if self.is_set():
                return False
            with anyio.move_on_after(max(0.0, seconds)):
                await waker.wait()
            return not self.is_set()
        finally:
            with self._lock:
                self._wakers.discard(waker)


def _step(flow: Flow[Any], value: Any, error: BaseException | None) -> tuple[bool, Any]:
    """Advance a flow: (True, next effect) or (False, its result)."""
    try:
        return True, (flow.throw(error) if error is not None else flow.send(value))
    except StopIteration as done:
        return False, done.value


def _first_error(errors: list[BaseException]) -> BaseException | None:
    for error in errors:
        if not isinstance(error, Stopped):
            return error
    return errors[0] if errors else None


class SyncDriver:
    """Runs flows with blocking I/O; Gathers on threads. At most ``slots`` storage requests are in flight."""

    def __init__(self, api: Any, plane: StoragePlane, slots: int) -> None:
        self.api = api
        self.plane = plane
        self.slots = threading.BoundedSemaphore(max(1, slots))

    def run(self, flow: Flow[T], stop: Stop) -> T:
        """Run ``flow`` to its end; return its result or raise its error."""
        value: Any = None
        error: BaseException | None = None
        while True:
            more, effect = _step(flow, value, error)
            if not more:
                result: T = effect
                return result
            value, error = None, None
            try:
                value = self._do(effect, stop)
            except BaseException as exc:  # thrown into the flow, which decides
                error = exc

    def _do(self, effect: Effect, stop: Stop) -> Any:
        if isinstance(effect, Local):
            return effect.fn()
        if stop.is_set():
            raise Stopped()
        if isinstance(effect, Call):
            return effect.fn(self.api)
        if isinstance(effect, Send):
            with self.slots:
                if stop.is_set():
                    raise Stopped()
                return self.plane.send(effect.request)
        if isinstance(effect, Sleep):
            if not stop.sleep(effect.seconds):
                raise Stopped()
            return None
        if isinstance(effect, Gather):
            return self._gather(effect, stop)
        raise TypeError(f"not an upload effect: {effect!r}")

    def _gather(self, effect: Gather, stop: Stop) -> list[Any]:
        child = Stop(stop)
        pending = _Pending(effect.flows)
        errors: list[BaseException] = []

        def worker() -> None:
            while not child.is_set():
                item = pending.next()
                if item is None:
                    return
                index, flow = item
                try:
                    pending.results[index] = self.run(flow, child)
                except Exception as exc:  # the first one stops the others; they drain
                    errors.append(exc)
                    child.set()

        limit = max(1, effect.limit)
        try:
            if limit == 1:
                worker()
            else:
                with ThreadPoolExecutor(max_workers=limit, thread_name_prefix="avala-upload") as pool:
                    futures = [pool.submit(worker) for _ in range(limit)]
                    try:
                        for future in futures:
                            future.result()
                    except BaseException:  # interrupted (Ctrl-C): stop everything, let the running ones drain
                        child.set()
                        raise
        finally:
            child.detach()
            pending.close()
        return _outcome(child, errors, pending.results)


class AsyncDriver:
    """Runs flows as tasks on any event loop anyio supports (asyncio, trio); Gathers in a task group. At most
    ``slots`` storage requests are in flight."""

    def __init__(self, api: Any, plane: AsyncStoragePlane, slots: int) -> None:
        import anyio

        self.api = api
        self.plane = plane
        self.slots = anyio.Semaphore(max(1, slots))

    async def run(self, flow: Flow[T], stop: Stop) -> T:
        """Run ``flow`` to its end; return its result or raise its error."""
        value: Any = None
        error: BaseException | None = None
        while True:
            more, effect = _step(flow, value, error)
            if not more:
                result: T = effect
                return result
            value, error = None, None
            try:
                value = await self._do(effect, stop)
            except BaseException as exc:  # thrown into the flow, which decides (cancellation too)
                error = exc

    async def _do(self, effect: Effect, stop: Stop) -> Any:
        if isinstance(effect, Local):
            from anyio import to_thread

            return await to_thread.run_sync(effect.fn)
        if stop.is_set():
            raise Stopped()
        if isinstance(effect, Call):
            return await effect.fn(self.api)
        if isinstance(effect, Send):
            async with self.slots:
                if stop.is_set():
                    raise Stopped()
                return await self.plane.send(effect.request)
        if isinstance(effect, Sleep):
            if not await stop.async_sleep(effect.seconds):
                raise Stopped()
            return None
        if isinstance(effect, Gather):
            return await self._gather(effect, stop)
        raise TypeError(f"not an upload effect: {effect!r}")

    async def _gather(self, effect: Gather, stop: Stop) -> list[Any]:
        import anyio

        child = Stop(stop)
        pending = _Pending(effect.flows)
        errors: list[BaseException] = []

        async def worker() -> None:
            while not child.is_set():
                item = pending.next()
                if item is None:
                    return
                index, flow = item
                try:
                    pending.results[index] = await self.run(flow, child)
                except Exception as exc:  # the first one stops the others; they drain
                    errors.append(exc)
                    child.set()

        try:
            async with anyio.create_task_group() as group:
                for _ in range(max(1, effect.limit)):
                    group.start_soon(worker)
        except BaseException:  # cancelled or interrupted: the task group has stopped the workers
            child.set()
            raise
        finally:
            child.detach()
            pending.close()
        return _outcome(child, errors, pending.results)


class _Pending:
    """The sub-flows of a Gather, handed out one at a time (to threads or tasks), and their results."""

    def __init__(self, flows: Iterable[Flow[Any]]) -> None:
        self._flows = enumerate(flows)
        self._lock = threading.Lock()
        self.results: dict[int, Any] = {}

    def next(self) -> tuple[int, Flow[Any]] | None:
        with self._lock:
            return next(self._flows, None)

    def close(self) -> None:
        """Close the sub-flows that never started."""
        with self._lock:
            for _, flow in self._flows:
                flow.close()


def _outcome(child: Stop, errors: list[BaseException], results: dict[int, Any]) -> list[Any]:
    """A Gather's result: its first real error, or Stopped when stopped from outside, or the results in order."""
    error = _first_error(errors)
    if error is not None:
        raise error
    if child.is_set():
        raise Stopped()
    return [results[i] for i in sorted(results)]
