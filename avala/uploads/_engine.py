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
asyncio tasks; both check the stop before every API call and storage request. So the order of operations, the retry
decisions, the state transitions and the fail-fast rule are written once, in the flows (``_datasets.py``, and the
fleet flows), and a sync and an async client behave the same by construction.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
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
    wakes every sleeper, in threads and in asyncio."""

    def __init__(self, parent: Stop | None = None) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._children: set[Stop] = set()
        self._wakers: set[Callable[[], None]] = set()
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
        for wake in wakers:
            wake()

    def detach(self) -> None:
        """Forget this child stop (its Gather is over)."""
        if self._parent is not None:
            with self._parent._lock:
                self._parent._children.discard(self)

    def sleep(self, seconds: float) -> bool:
        """Sleep in this thread; True if the whole time passed, False if the stop came first."""
        return not self._event.wait(max(0.0, seconds))

    async def async_sleep(self, seconds: float) -> bool:
        """Sleep in asyncio; True if the whole time passed, False if the stop came first."""
        import asyncio

        loop = asyncio.get_running_loop()
        woken = loop.create_future()

        def settle() -> None:
            if not woken.done():
                woken.set_result(None)

        def wake() -> None:
            loop.call_soon_threadsafe(settle)

        with self._lock:
            self._wakers.add(wake)
        try:
            if self.is_set():
                return False
            try:
                await asyncio.wait_for(woken, max(0.0, seconds))
            except TimeoutError:
                return True
            return False
        finally:
            with self._lock:
                self._wakers.discard(wake)


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
    """Runs flows with blocking I/O; Gathers on threads."""

    def __init__(self, api: Any, plane: StoragePlane) -> None:
        self.api = api
        self.plane = plane

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
        flows = iter(enumerate(effect.flows))
        results: dict[int, Any] = {}
        errors: list[BaseException] = []
        running: dict[Future[Any], int] = {}
        try:
            with ThreadPoolExecutor(max_workers=max(1, effect.limit), thread_name_prefix="avala-upload") as pool:

                def fill() -> None:
                    while len(running) < max(1, effect.limit) and not child.is_set():
                        nxt = next(flows, None)
                        if nxt is None:
                            return
                        running[pool.submit(self.run, nxt[1], child)] = nxt[0]

                try:
                    fill()
                    while running:
                        done, _ = wait(list(running), return_when=FIRST_COMPLETED)
                        for future in done:
                            index = running.pop(future)
                            try:
                                results[index] = future.result()
                            except BaseException as exc:
                                errors.append(exc)
                                child.set()
                        fill()
                except BaseException:  # interrupted (Ctrl-C): stop everything, let the running ones drain
                    child.set()
                    raise
        finally:
            child.detach()
            for _, unstarted in flows:
                unstarted.close()
        error = _first_error(errors)
        if error is not None:
            raise error
        if child.is_set():
            raise Stopped()
        return [results[i] for i in sorted(results)]


class AsyncDriver:
    """Runs flows on asyncio; Gathers as tasks."""

    def __init__(self, api: Any, plane: AsyncStoragePlane) -> None:
        self.api = api
        self.plane = plane

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
            except BaseException as exc:  # thrown into the flow, which decides
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
            return await self.plane.send(effect.request)
        if isinstance(effect, Sleep):
            if not await stop.async_sleep(effect.seconds):
                raise Stopped()
            return None
        if isinstance(effect, Gather):
            return await self._gather(effect, stop)
        raise TypeError(f"not an upload effect: {effect!r}")

    async def _gather(self, effect: Gather, stop: Stop) -> list[Any]:
        import asyncio

        child = Stop(stop)
        flows = iter(enumerate(effect.flows))
        results: dict[int, Any] = {}
        errors: list[BaseException] = []
        running: dict[asyncio.Task[Any], int] = {}

        def fill() -> None:
            while len(running) < max(1, effect.limit) and not child.is_set():
                nxt = next(flows, None)
                if nxt is None:
                    return
                running[asyncio.ensure_future(self.run(nxt[1], child))] = nxt[0]

        try:
            fill()
            while running:
                done, _ = await asyncio.wait(list(running), return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    index = running.pop(task)
                    try:
                        results[index] = task.result()
                    except BaseException as exc:
                        errors.append(exc)
                        child.set()
                fill()
        except BaseException:  # cancelled: stop, cancel what runs, wait for it
            child.set()
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)
            raise
        finally:
            child.detach()
            for _, unstarted in flows:
                unstarted.close()
        error = _first_error(errors)
        if error is not None:
            raise error
        if child.is_set():
            raise Stopped()
        return [results[i] for i in sorted(results)]
