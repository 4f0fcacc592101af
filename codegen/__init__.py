"""The Avala SDK generator driver.

``python -m codegen generate`` turns ``openapi.yaml`` into the generated parts of the ``avala`` package:

1. :mod:`codegen.parse` loads the document and runs it through the pinned openapi-python-client parser, which
   resolves every ``$ref`` and names every class and parameter; any parser warning fails the run.
2. :mod:`codegen.api` reduces the parsed document to a small view model (resources, operations, models) and
   reads the few ``x-`` extensions documented at the top of ``openapi.yaml`` from the raw document.
3. :mod:`codegen.render` renders ``templates/`` with that view model and formats the output with the pinned ruff.

``python -m codegen check`` regenerates into memory and fails on any difference from the committed files;
``python -m codegen diff OLD NEW`` is the semantic spec diff (:mod:`codegen.specdiff`); ``python -m codegen gate``
and ``python -m codegen release`` gate breaking changes and cut releases from it (:mod:`codegen.release`).
"""
