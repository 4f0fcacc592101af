"""Semantic diff of two revisions of ``openapi.yaml``: what breaks on the wire and in the generated Python SDK.

``python -m codegen diff [OLD] [NEW]`` (defaults ``RELEASE`` and ``WORKTREE``; also ``python -m codegen.specdiff``).
Each argument is a file if one exists at that path, else a git revision of ``--spec-path`` (``HEAD~1``, or
``REV:path``); ``WORKTREE`` is the working-tree file, ``RELEASE`` the last release's (``release/openapi.yaml``).
``--format`` is ``text``, ``markdown`` or ``json``; ``--fail-on-breaking`` exits 1 when a change is breaking; 2 means
a spec could not be loaded. In Python::

    from codegen.specdiff import diff_specs
    for change in diff_specs(old_document, new_document):
        print(change.severity, change.rule, change.operation, change.python, change.location, change.message)

How changes are judged (every rule, with its severity, is in :data:`codegen.specdiff.model.RULES`):

- Operations are matched by HTTP method and path *shape* (parameter names blanked), so a renamed path parameter is a
  renamed Python argument, not a new operation. An operation that disappears while one with the same operationId
  appears elsewhere is a changed method or path. The Python call is ``client.<tag>.<operationId minus tag prefix>``;
  tags flagged ``x-python-client-attribute: false`` (and ``signup``) are module functions (``avala.signup``).
- Request side (parameters, bodies): narrowing what is accepted is breaking (removed, became required, new required,
  type changed, enum value removed, constraint tightened, null no longer accepted, another model, a default
  changed); widening is not. Removing an optional request property or parameter is breaking: old code passing it
  breaks. ``readOnly`` properties are not part of requests, ``writeOnly`` ones not of responses.
- Response side (2xx responses): widening what may come back is breaking (property removed, became optional or
  nullable, type changed, enum value added, constraint loosened, new oneOf member, success status removed, shape
  changed between none, page, array, object and value); narrowing is not. A response enum gaining a value is not
  breaking: the SDK keeps enums open. Error responses and response headers are not compared.
- The Python surface is the generator's (:mod:`codegen.specdiff.surface`, from the view model of :mod:`codegen.api`):
  a changed operationId (method renamed; not breaking with ``x-python-renamed-from``, which keeps the old name), tag
  (resource renamed: once per tag when the whole tag moved), ``x-python-name`` or wire name of a parameter,
  ``x-python-result-field`` and ``x-python-wait`` (the ``wait()`` method), and a model renamed (a removed and an
  added component schema with the same structure, refs to other renamed models included: reported once, as a
  rename; not breaking with ``x-python-renamed-from``). A renamed or removed operation's message also names the
  ``avala`` command it renames or removes (the generator's command table, ``codegen/cli.py``; a rename with
  ``x-python-renamed-from`` keeps the old command name too). Only schemas the generator makes a class of count: a
  request-body schema or a page wrapper renamed is no change, two of them are compared by structure. A ``format``
  that changes the Python type (date-time, date, binary, uuid) is a type change.
- Only semantic keywords are compared: types, nullability, enum/const, properties and required, items,
  additionalProperties, oneOf/anyOf (members matched by model name, structure, then type), allOf (a member more is a
  constraint more), bounds, lengths, pattern, format, multipleOf, uniqueItems. Descriptions, summaries, examples,
  titles, ``format: password`` and ``x-`` extensions other than those above are ignored, so are ``not``,
  ``if``/``then``/``else``, ``patternProperties`` and ``discriminator``.
- ``$ref``s are resolved (recursive schemas included). A change inside a referenced schema is reported once, located
  in that schema (``/components/schemas/Dataset/properties/status``), listing every operation that reaches it
  (``Change.affected``); ``Change.operation``/``Change.python`` are set when exactly one does. When one schema is
  used in both directions and the verdicts differ, the breaking one is kept and the message says so. Component
  schemas no operation reaches are compared as responses, or as requests if named ``*Request``/``*Params``.
- Locations are JSON pointers into the new document, or into the old one for what was removed.
"""

from .cli import main
from .model import BREAKING, NON_BREAKING, RULES, Change
from .operations import diff_specs
from .report import render

__all__ = ["BREAKING", "NON_BREAKING", "RULES", "Change", "diff_specs", "main", "render"]
