"""The upload engine: moving local files to presigned storage, resumably, for every upload flow.

Not imported by ``import avala``; the upload methods load it on first use. Its pieces, each in its own module:

- :mod:`._allow`: the storage-host allow-list (and its one setting, ``AVALA_STORAGE_HOSTS``);
- :mod:`._storage`: the storage plane: streaming bodies from disk with a byte hook, its own httpx client with no API
  key, :class:`~._storage.StorageError`, and the :class:`~._storage.RetryPolicy`;
- :mod:`._state`: the state directory (``AVALA_STATE_DIR``, default ``~/.avala/uploads``), atomic writes, journals,
  the non-blocking lock, stat stamps; fails closed with :class:`~avala.errors.UploadStateError`;
- :mod:`._engine`: flows as generators of effects, run by a sync (threads) or an async (asyncio, trio) driver, with
  the fail-fast rule written once;
- :mod:`._datasets`: the dataset upload flow (``client.datasets.upload_files`` / ``create_from_local``).

A new flow (fleet recordings, for instance) is a generator in its own module: it yields ``Call`` for API operations,
``Send`` for storage requests built from :class:`~._storage.FileRange` bodies (URLs checked with
:func:`~._allow.check_storage_url` when they arrive, and again by the plane), ``Sleep`` for backoffs computed by its
:class:`~._storage.RetryPolicy`, ``Local`` for state writes under its :class:`~._state.StateLock`, and ``Gather`` for
concurrency; the resource method drives it with :class:`~._engine.SyncDriver` or :class:`~._engine.AsyncDriver`.
"""
