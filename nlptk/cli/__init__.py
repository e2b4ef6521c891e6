"""The command line: thin typer commands over the library, one command group per file.

One layout for every group, ``nlptk <group> <command>``:

* ``nlptk/cli/<group>.py`` defines the group's ``app = typer.Typer(...)``, and
  :mod:`nlptk.cli.app` adds it with ``add_typer`` (a new group is one line in its ``GROUPS``;
  a run imports only the group it invokes).
* A small group (``lsa``, ``lda``, ``lm``, ``corpus``, ``topics``, ``similarity``, ``vectors``,
  ``cache``) defines its commands in that file with ``@app.command``.
* A group whose commands outgrow one file (``embed``, ``classify``, ``export``) keeps only the
  ``app`` in ``<group>.py``; its commands live in ``<group>_<theme>.py`` files, each ending in
  a ``register(app)`` that adds them (``embed_train``, ``classify_evaluate``...).
* Options that mirror a settings declaration come from it (:func:`nlptk.cli._params.config_options`);
  errors are raised as :class:`~nlptk.errors.NlptkError` and printed once by :mod:`nlptk.cli.app`.
"""
