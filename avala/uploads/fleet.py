"""The fleet upload flows as methods of ``client.fleet.uploads`` (attached by ``x-python-mixin`` in openapi.yaml).

``upload_recording`` drives the classic session (:mod:`._fleet`), ``upload_managed_recording`` the managed MCAP
protocol (:mod:`._fleet_managed`). Both hold the recording's receipt lock for the whole run (a second run on the same
recording fails at once), send storage requests through the shared storage plane, and raise
:class:`~avala.errors.UploadStateError` with a recovery hint for every failure; the SDK prints nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import AvalaError, UploadStateError
from ..types.managed_fleet_upload_status import ManagedFleetUploadStatus
from ..types.upload_session import UploadSession
from ._fleet import UploadProgress

if TYPE_CHECKING:
    from .._transport import AsyncTransport, SyncTransport

ProgressHook = Callable[[UploadProgress], None]
ByteHook = Callable[[str, int], None]

__all__ = ["AsyncFleetUploadFlows", "FleetUploadFlows", "UploadProgress"]


def _positive_int(name: str, value: Any, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f">= {low}"
        raise ValueError(f"{name} must be an int {bound}, not {value!r}")
    return value


def _wait_timeout(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value) or not 0 <= value <= 3600:
        raise ValueError(f"wait_timeout must be a number of seconds between 0 and 3600, not {value!r}")
    return float(value)


def _classic_context(
    transport: Any,
    recording_uid: str,
    source_dir: str | Path,
    storage_config_uid: str | None,
    max_workers: int,
    on_progress: ProgressHook | None,
    on_bytes: ByteHook | None,
) -> Any:
    from . import _fleet, _fleet_state

    if not isinstance(recording_uid, str) or not recording_uid.strip():
        raise ValueError("recording_uid must be the recording's uid")
    if storage_config_uid is not None and not isinstance(storage_config_uid, str):
        raise ValueError("storage_config_uid must be a str or None")
    return _fleet.Context(
        recording_uid=recording_uid,
        root=_fleet_state.source_root(source_dir),
        storage_config_uid=storage_config_uid or None,
        max_workers=_positive_int("max_workers", max_workers, 1),
        on_progress=on_progress,
        on_bytes=on_bytes,
        base_url=transport.config.base_url,
        api_key=transport.config.api_key or "",
    )


def _managed_context(
    transport: Any,
    recording_uid: str,
    source_dir: str | Path,
    max_workers: int,
    wait_timeout: float,
    on_progress: ProgressHook | None,
    on_bytes: ByteHook | None,
) -> Any:
    from . import _fleet_managed, _fleet_state

    if not isinstance(recording_uid, str):
        raise ValueError("recording_uid must be the recording's uid")
    return _fleet_managed.Context(
        recording_uid=recording_uid,
        root=_fleet_state.source_root(source_dir),
        max_workers=_positive_int("max_workers", max_workers, 1, 4),
        wait_timeout=_wait_timeout(wait_timeout),
        on_progress=on_progress,
        on_bytes=on_bytes,
        base_url=transport.config.base_url,
        api_key=transport.config.api_key or "",
    )


def _run_sync(api: Any, receipt: Any, flow: Any, workers: int) -> Any:
    """Drive a flow on threads, holding the recording's lock; stop every worker on any failure."""
    from ._engine import Stop, SyncDriver
    from ._storage import StoragePlane

    stop = Stop()
    try:
        with receipt.lock, StoragePlane(workers) as plane:
            return SyncDriver(api, plane, workers).run(flow, stop)
    except AvalaError as exc:
        stop.set()
        raise _safe(exc) from None
    except BaseException:
        stop.set()
        raise


async def _run_async(api: Any, receipt: Any, flow: Any, workers: int) -> Any:
    """Drive a flow on the event loop (asyncio or trio), holding the recording's lock."""
    from ._engine import AsyncDriver, Stop
    from ._storage import AsyncStoragePlane

    stop = Stop()
    try:
        with receipt.lock:
            async with AsyncStoragePlane(workers) as plane:
                return await AsyncDriver(api, plane, workers).run(flow, stop)
    except AvalaError as exc:
        stop.set()
        raise _safe(exc) from None
    except BaseException:
        stop.set()
        raise


def _safe(error: AvalaError) -> UploadStateError:
    """Any other SDK error escaping a flow, as an UploadStateError (its message is already redacted)."""
    if isinstance(error, UploadStateError):
        return error
    failure = UploadStateError(f"{error}. Run the same call again to resume.", error.status_code)
    failure.request_id = error.request_id
    return failure


class FleetUploadFlows:
    """``upload_recording`` and ``upload_managed_recording`` of ``client.fleet.uploads``."""

    __slots__ = ()
    _transport: SyncTransport

    def upload_recording(
        self,
        recording_uid: str,
        source_dir: str | Path,
        *,
        storage_config_uid: str | None = None,
        max_workers: int = 4,
        on_progress: ProgressHook | None = None,
        on_bytes: ByteHook | None = None,
    ) -> UploadSession:
        """Upload every file of ``source_dir`` to the recording through a classic upload session, resumably.

        The files are inventoried (SHA-256) first; a receipt in the upload state directory (``AVALA_STATE_DIR``,
        default ``~/.avala/uploads``) records each step before it is taken, so running the same call again after any
        failure resumes where it stopped and never starts a second session or confirms a file twice. Files go in
        batches of 100 presigned PUTs, ``max_workers`` at a time, each hashed while it is sent: a file whose bytes
        are not the inventoried ones is never confirmed. Then the session is finalized.

        Args:
            recording_uid: The recording (it must exist).
            source_dir: The directory holding the recording's files (no symlinks or special files).
            storage_config_uid: Storage configuration to upload into (the organization's default when None).
            max_workers: Files sent at the same time.
            on_progress: Called with an :class:`~avala.uploads.fleet.UploadProgress` (``uploaded_files``,
                ``total_files``, ``uploaded_bytes``, ``total_bytes``, ``failed_files``) after each batch.
            on_bytes: ``on_bytes(path, delta)`` as bytes are sent (minus what a failed attempt had reported), as for
                dataset uploads; calls never overlap.

        Returns:
            The ``UploadSession`` (``status`` is ``completing`` while the server processes it, then ``completed``).

        Raises:
            UploadStateError: anything that stopped the upload, with how to recover (another run on the same
                recording, a source file changed, a server answer contradicting the receipt, a storage failure).
            ValueError: an invalid argument.

        Example:
            session = client.fleet.uploads.upload_recording(
                "e4a096af-5712-4394-85e6-f708192a3b4c", "/data/drive-0412", max_workers=4
            )
        """
        from ..resources.fleet_uploads import FleetUploadsWithRawResponse
        from ..types.upload_session import UploadSession
        from . import _fleet
        from ._fleet_state import Receipt

        ctx = _classic_context(
            self._transport, recording_uid, source_dir, storage_config_uid, max_workers, on_progress, on_bytes
        )
        api = FleetUploadsWithRawResponse(self._transport)
        receipt = Receipt(ctx.base_url, recording_uid)
        result = _run_sync(api, receipt, _fleet.upload_recording(ctx, receipt), ctx.max_workers)
        return UploadSession.from_dict(result)

    def upload_managed_recording(
        self,
        recording_uid: str,
        source_dir: str | Path,
        *,
        max_workers: int = 2,
        wait_timeout: float = 0,
        on_progress: ProgressHook | None = None,
        on_bytes: ByteHook | None = None,
    ) -> ManagedFleetUploadStatus:
        """Upload the MCAP files of ``source_dir`` through the managed protocol ``fleet-managed-mcap-v1``.

        1 to 64 ``.mcap`` files (1 B to 8 GiB each, 64 GiB in all) are admitted with their SHA-256, sent in 64 MiB
        parts (``max_workers`` parts at a time, never more than that in memory: parts stream from disk), then
        finalized; the server verifies and publishes them. Running the same call again after any failure resumes:
        parts storage already holds are not sent again.

        Args:
            recording_uid: The recording, as a canonical lowercase UUID.
            source_dir: The directory holding the MCAP files.
            max_workers: Parts sent at the same time (1 to 4).
            wait_timeout: Seconds to wait for the finalization to succeed or fail (0 to 3600; 0 returns at once).
            on_progress: Called with an ``UploadProgress`` after each file.
            on_bytes: ``on_bytes(path, delta)`` as bytes are sent (parts included); calls never overlap.

        Returns:
            The session's ``ManagedFleetUploadStatus``; ``finalization.state == "succeeded"`` carries the
            ``publication_uid`` and ``dataset_uid`` (the recording itself may still be processing).

        Raises:
            UploadStateError: anything that stopped the upload, with how to recover.
            ValueError: an invalid argument.

        Example:
            status = client.fleet.uploads.upload_managed_recording(
                "e4a096af-5712-4394-85e6-f708192a3b4c", "/data/drive-0412-mcap", wait_timeout=600
            )
        """
        from ..resources.fleet_uploads import FleetUploadsWithRawResponse
        from . import _fleet_managed
        from ._fleet_state import Receipt

        ctx = _managed_context(
            self._transport, recording_uid, source_dir, max_workers, wait_timeout, on_progress, on_bytes
        )
        api = FleetUploadsWithRawResponse(self._transport.derive(max_retries=0))
        receipt = Receipt(ctx.base_url, recording_uid)
        status: ManagedFleetUploadStatus = _run_sync(
            api, receipt, _fleet_managed.upload_managed_recording(ctx, receipt), ctx.max_workers
        )
        return status


class AsyncFleetUploadFlows:
    """The async twins of :class:`FleetUploadFlows`: the same flows, run on asyncio."""

    __slots__ = ()
    _transport: AsyncTransport

    async def upload_recording(
        self,
        recording_uid: str,
        source_dir: str | Path,
        *,
        storage_config_uid: str | None = None,
        max_workers: int = 4,
        on_progress: ProgressHook | None = None,
        on_bytes: ByteHook | None = None,
    ) -> UploadSession:
        """The async twin of ``FleetUploads.upload_recording`` (same arguments, result and errors)."""
        from ..resources.fleet_uploads import AsyncFleetUploadsWithRawResponse
        from ..types.upload_session import UploadSession
        from . import _fleet
        from ._fleet_state import Receipt

        ctx = _classic_context(
            self._transport, recording_uid, source_dir, storage_config_uid, max_workers, on_progress, on_bytes
        )
        api = AsyncFleetUploadsWithRawResponse(self._transport)
        receipt = Receipt(ctx.base_url, recording_uid)
        result = await _run_async(api, receipt, _fleet.upload_recording(ctx, receipt), ctx.max_workers)
        return UploadSession.from_dict(result)

    async def upload_managed_recording(
        self,
        recording_uid: str,
        source_dir: str | Path,
        *,
        max_workers: int = 2,
        wait_timeout: float = 0,
        on_progress: ProgressHook | None = None,
        on_bytes: ByteHook | None = None,
    ) -> ManagedFleetUploadStatus:
        """The async twin of ``FleetUploads.upload_managed_recording``."""
        from ..resources.fleet_uploads import AsyncFleetUploadsWithRawResponse
        from . import _fleet_managed
        from ._fleet_state import Receipt

        ctx = _managed_context(
            self._transport, recording_uid, source_dir, max_workers, wait_timeout, on_progress, on_bytes
        )
        api = AsyncFleetUploadsWithRawResponse(self._transport.derive(max_retries=0))
        receipt = Receipt(ctx.base_url, recording_uid)
        status: ManagedFleetUploadStatus = await _run_async(
            api, receipt, _fleet_managed.upload_managed_recording(ctx, receipt), ctx.max_workers
        )
        return status
