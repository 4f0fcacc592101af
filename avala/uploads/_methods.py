"""The upload methods of ``client.datasets``, inherited by the generated resource classes (``x-python-mixin`` on the
``datasets`` tag of ``openapi.yaml``).

Light on purpose: the resource module imports this one, and the upload engine loads only when a method runs. Each
method checks its arguments, builds the flow of :mod:`._datasets` and runs it with the sync or the async driver;
nothing else differs between the two classes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..types.dataset import Dataset  # loaded with the datasets resource anyway; here for get_type_hints()

if TYPE_CHECKING:
    from .._transport import AsyncTransport, SyncTransport
    from ._datasets import Finalize, Job
    from ._engine import Flow

ProgressHook = Callable[[str, int], None]
SkippedHook = Callable[[str], None]


def _job(
    transport: Any,
    dataset_name: str,
    files: Iterable[Sequence[Any]],
    workers: int,
    on_progress: ProgressHook | None,
    on_skipped: SkippedHook | None,
    on_bytes: ProgressHook | None,
    organization_uid: str | None,
    resume: bool,
    state_key: str | None,
    batch: str | None,
) -> Job:
    from ._datasets import Hooks, Job, as_pairs

    return Job(
        base_url=transport.config.base_url,
        api_key=transport.config.api_key or "",
        dataset_name=dataset_name,
        files=as_pairs(files),
        workers=workers,
        hooks=Hooks(on_progress, on_skipped, on_bytes),
        organization_uid=organization_uid,
        resume=resume,
        state_key=state_key,
        batch=batch,
    )


def _finalize(
    source: str | os.PathLike[str],
    slug: str,
    data_type: str,
    visibility: str,
    create_metadata: bool,
    owner_name: str | None,
    metadata: dict[str, Any] | None,
    industry: int | None,
    license: int | None,
    check_quota: bool,
    wait: bool,
    wait_timeout: float,
) -> Finalize:
    from ._datasets import Finalize

    return Finalize(
        slug=slug,
        data_type=data_type,
        visibility=visibility,
        create_metadata=create_metadata,
        owner_name=owner_name,
        metadata=metadata,
        industry=industry,
        license=license,
        check_quota=check_quota,
        wait=wait,
        wait_timeout=wait_timeout,
        source=os.fspath(source),
    )


class _Api:
    """What the flows call: the datasets resource and a users resource on the same transport."""

    __slots__ = ("datasets", "users")

    def __init__(self, datasets: Any, users: Any) -> None:
        self.datasets = datasets
        self.users = users


def _run_sync(resource: Any, job: Job, flow: Flow[Any]) -> Any:
    from ..resources.users import Users
    from ._engine import Stop, SyncDriver
    from ._storage import StoragePlane

    stop = Stop()
    try:
        with StoragePlane(job.workers) as plane:
            return SyncDriver(_Api(resource, Users(resource._transport)), plane, job.workers).run(flow, stop)
    except BaseException:
        stop.set()
        raise
    finally:
        if job.state is not None:
            job.state.close()


async def _run_async(resource: Any, job: Job, flow: Flow[Any]) -> Any:
    from ..resources.users import AsyncUsers
    from ._engine import AsyncDriver, Stop
    from ._storage import AsyncStoragePlane

    stop = Stop()
    try:
        async with AsyncStoragePlane(job.workers) as plane:
            driver = AsyncDriver(_Api(resource, AsyncUsers(resource._transport)), plane, job.workers)
            return await driver.run(flow, stop)
    except BaseException:
        stop.set()
        raise
    finally:
        if job.state is not None:
            job.state.close()  # a snapshot write: milliseconds, and it must happen even when cancelled


_UPLOAD_FILES_DOC = """Upload local files for a dataset to be created from them; return the bytes sent by this call.

        ``files`` are ``(local_path, path_in_dataset)`` pairs. Finalize with ``create_from_manual_upload`` (or use
        ``create_from_local``, which does both). Each file is streamed from disk (a multipart upload in parts for a
        large one); ``workers`` files, and as many parts, are in flight. Storage requests carry no API key, go only to
        allowed storage hosts (``AVALA_STORAGE_HOSTS`` widens the list) and are retried on 408/429/5xx and network
        errors with backoff (``Retry-After`` honoured); the first error that is not retryable stops new work, lets
        what is running finish, saves the state and is raised.

        Resume: every stored file is recorded under the state directory (``AVALA_STATE_DIR``, default
        ``~/.avala/uploads``) with its stat stamp, per destination (API, organization, dataset name, account); a
        re-run skips a stored file whose stamp is unchanged (``resume=False`` sends everything again). A file changed
        while being sent is never recorded as stored (:class:`~avala.errors.FileChangedError`). A corrupt or foreign
        state file, or another process uploading to the same destination, raises
        :class:`~avala.errors.UploadStateError` with the way out.

        Args:
            dataset_name: The dataset's name (it decides where the files are stored).
            files: ``(local_path, path_in_dataset)`` pairs; paths in the dataset are relative POSIX paths, unique.
            workers: Files (and parts of a large file) in flight.
            on_progress: ``on_progress(path_in_dataset, size)`` after each file sent by this call.
            on_skipped: ``on_skipped(path_in_dataset)`` for each file already stored: those recorded by an earlier
                run (announced before any transfer) and those the server already holds.
            organization_uid: The organization that will own the dataset (the same in ``create_from_manual_upload``).
            resume: Skip files recorded as stored and unchanged.
            state_key: The resume state's name (default: ``dataset_name``).
            clear_state_on_success: Forget the resume state once every file is stored (keep it until the dataset
                exists, so that a failed finalize does not send everything again).
            dataset_upload_uid: The v2 upload batch (``prepare_manual_upload_batch``); v1 form uploads without it.
            on_bytes: ``on_bytes(path_in_dataset, delta)`` as bytes are sent (parts included), for a byte-accurate
                progress bar; a failed attempt reports minus what it had reported. Called from worker threads of the
                sync client, one call at a time.

        Returns:
            The number of bytes sent by this call (stored files skipped are not counted).

        Raises:
            QuotaExceededError: the owner's storage quota would be exceeded (413).
            UploadStateError: the resume state is corrupt, foreign, locked by another process, or disagrees.
            FileChangedError: a file changed while it was being uploaded.
            ValueError: bad arguments, a storage URL outside the allow-list, an unusable upload target.

        Example:
            client.datasets.upload_files(dataset_name="Training v2", files=[("/data/a.jpg", "images/a.jpg")])
        """

_CREATE_FROM_LOCAL_DOC = """Upload a local file or directory and create a dataset from it.

        Collects the files (a directory is walked, paths relative to it), checks the owner's quota first
        (``check_quota``: a payload larger than the whole storage limit fails before any byte is sent), uploads them
        in a v2 batch with :meth:`upload_files` (resumable: re-running the same call sends only what is missing and
        retries the finalize), creates the dataset with ``create_from_manual_upload``, forgets the resume state, and
        with ``wait=True`` polls until the dataset's status is ``created``.

        Args:
            source: A file, or a directory whose files are uploaded.
            name: Display name of the dataset (it decides where the files are stored).
            slug: URL-friendly identifier.
            data_type: ``image``, ``video``, ``lidar``, ``mcap`` or ``splat``.
            visibility: ``private`` or ``public``.
            create_metadata: Whether to create dataset metadata.
            owner_name: Dataset owner username or organization slug.
            industry: Industry identifier.
            license: License identifier.
            workers: Files (and parts of a large file) in flight.
            on_progress: ``on_progress(path_in_dataset, size)`` after each file sent.
            wait: Poll (every 10 s) until the dataset is ``created``.
            wait_timeout: Seconds to wait at most (``WaitTimeoutError`` after).
            organization_uid: The organization that owns the dataset.
            metadata: Free-form metadata stored with the dataset.
            resume: Skip files an interrupted run already stored; ``False`` starts a fresh batch.
            check_quota: Compare the payload with the owner's storage limit before sending.
            on_skipped: ``on_skipped(path_in_dataset)`` for each file already stored.
            on_bytes: ``on_bytes(path_in_dataset, delta)`` as bytes are sent (see :meth:`upload_files`).

        Returns:
            The created ``Dataset``.

        Example:
            client.datasets.create_from_local(source="/data/run-42", name="Run 42", slug="run-42", data_type="image")
        """

_PREPARE_DOC = """The v2 upload batch of a destination: the recorded one when resuming, else a fresh one.

        Pass it to :meth:`upload_files` (``dataset_upload_uid``) and to ``create_from_manual_upload`` when finalizing
        yourself; :meth:`create_from_local` does this on its own.

        Args:
            dataset_name: The dataset's name.
            organization_uid: The organization that will own the dataset.
            resume: Reuse the recorded batch; ``False`` retires it (every file is then sent again).
            state_key: The resume state's name (default: ``dataset_name``).

        Returns:
            The batch's UUID.

        Example:
            batch = client.datasets.prepare_manual_upload_batch("Training v2")
        """


class DatasetUploadMethods:
    """``client.datasets.upload_files``, ``create_from_local`` and ``prepare_manual_upload_batch``."""

    __slots__ = ()
    _transport: SyncTransport

    def upload_files(
        self,
        *,
        dataset_name: str,
        files: Iterable[Sequence[str | os.PathLike[str]]],
        workers: int = 8,
        on_progress: ProgressHook | None = None,
        on_skipped: SkippedHook | None = None,
        organization_uid: str | None = None,
        resume: bool = True,
        state_key: str | None = None,
        clear_state_on_success: bool = False,
        dataset_upload_uid: str | None = None,
        on_bytes: ProgressHook | None = None,
    ) -> int:
        from ._datasets import upload_files_flow

        job = _job(
            self._transport, dataset_name, files, workers, on_progress, on_skipped, on_bytes, organization_uid,
            resume, state_key, dataset_upload_uid,
        )  # fmt: skip
        result: int = _run_sync(self, job, upload_files_flow(job, clear_state_on_success))
        return result

    upload_files.__doc__ = _UPLOAD_FILES_DOC

    def create_from_local(
        self,
        *,
        source: str | os.PathLike[str],
        name: str,
        slug: str,
        data_type: str,
        visibility: str = "private",
        create_metadata: bool = True,
        owner_name: str | None = None,
        industry: int | None = None,
        license: int | None = None,
        workers: int = 8,
        on_progress: ProgressHook | None = None,
        wait: bool = False,
        wait_timeout: float = 3600.0,
        organization_uid: str | None = None,
        metadata: dict[str, Any] | None = None,
        resume: bool = True,
        check_quota: bool = True,
        on_skipped: SkippedHook | None = None,
        on_bytes: ProgressHook | None = None,
    ) -> Dataset:
        from ._datasets import create_from_local_flow

        job = _job(
            self._transport, name, [], workers, on_progress, on_skipped, on_bytes, organization_uid, resume, None, None
        )
        finalize = _finalize(
            source, slug, data_type, visibility, create_metadata, owner_name, metadata, industry, license,
            check_quota, wait, wait_timeout,
        )  # fmt: skip
        result: Dataset = _run_sync(self, job, create_from_local_flow(job, finalize))
        return result

    create_from_local.__doc__ = _CREATE_FROM_LOCAL_DOC

    def prepare_manual_upload_batch(
        self,
        dataset_name: str,
        *,
        organization_uid: str | None = None,
        resume: bool = True,
        state_key: str | None = None,
    ) -> str:
        from ._datasets import prepare_batch_flow

        job = _job(self._transport, dataset_name, [], 1, None, None, None, organization_uid, resume, state_key, None)
        result: str = _run_sync(self, job, prepare_batch_flow(job))
        return result

    prepare_manual_upload_batch.__doc__ = _PREPARE_DOC


class AsyncDatasetUploadMethods:
    """The async twin of :class:`DatasetUploadMethods`: the same flows, on asyncio or trio."""

    __slots__ = ()
    _transport: AsyncTransport

    async def upload_files(
        self,
        *,
        dataset_name: str,
        files: Iterable[Sequence[str | os.PathLike[str]]],
        workers: int = 8,
        on_progress: ProgressHook | None = None,
        on_skipped: SkippedHook | None = None,
        organization_uid: str | None = None,
        resume: bool = True,
        state_key: str | None = None,
        clear_state_on_success: bool = False,
        dataset_upload_uid: str | None = None,
        on_bytes: ProgressHook | None = None,
    ) -> int:
        from ._datasets import upload_files_flow

        job = _job(
            self._transport, dataset_name, files, workers, on_progress, on_skipped, on_bytes, organization_uid,
            resume, state_key, dataset_upload_uid,
        )  # fmt: skip
        result: int = await _run_async(self, job, upload_files_flow(job, clear_state_on_success))
        return result

    upload_files.__doc__ = _UPLOAD_FILES_DOC

    async def create_from_local(
        self,
        *,
        source: str | os.PathLike[str],
        name: str,
        slug: str,
        data_type: str,
        visibility: str = "private",
        create_metadata: bool = True,
        owner_name: str | None = None,
        industry: int | None = None,
        license: int | None = None,
        workers: int = 8,
        on_progress: ProgressHook | None = None,
        wait: bool = False,
        wait_timeout: float = 3600.0,
        organization_uid: str | None = None,
        metadata: dict[str, Any] | None = None,
        resume: bool = True,
        check_quota: bool = True,
        on_skipped: SkippedHook | None = None,
        on_bytes: ProgressHook | None = None,
    ) -> Dataset:
        from ._datasets import create_from_local_flow

        job = _job(
            self._transport, name, [], workers, on_progress, on_skipped, on_bytes, organization_uid, resume, None, None
        )
        finalize = _finalize(
            source, slug, data_type, visibility, create_metadata, owner_name, metadata, industry, license,
            check_quota, wait, wait_timeout,
        )  # fmt: skip
        result: Dataset = await _run_async(self, job, create_from_local_flow(job, finalize))
        return result

    create_from_local.__doc__ = _CREATE_FROM_LOCAL_DOC

    async def prepare_manual_upload_batch(
        self,
        dataset_name: str,
        *,
        organization_uid: str | None = None,
        resume: bool = True,
        state_key: str | None = None,
    ) -> str:
        from ._datasets import prepare_batch_flow

        job = _job(self._transport, dataset_name, [], 1, None, None, None, organization_uid, resume, state_key, None)
        result: str = await _run_async(self, job, prepare_batch_flow(job))
        return result

    prepare_manual_upload_batch.__doc__ = _PREPARE_DOC
