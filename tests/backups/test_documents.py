"""The drill checks every signed document type (REL-07 with REL-01): a model that keeps a
signature and is not covered by ``backups.documents.SIGNED_KINDS`` fails here."""

from __future__ import annotations

from django.apps import apps

from alliance.backups.documents import SIGNED_KINDS


def test_every_model_that_keeps_a_signature_is_checked_by_the_drill() -> None:
    # given every model with a content_hash column (what the records kernel signs)
    signed = {
        model._meta.label
        for model in apps.get_models()
        if any(f.name == "content_hash" for f in model._meta.fields)
    }

    # when the drill's document kinds and their addenda are listed
    covered = {kind.model._meta.label for kind in SIGNED_KINDS} | {
        kind.addendum_model._meta.label for kind in SIGNED_KINDS if kind.addendum_model
    }

    # then they are the same: nothing signed goes unchecked
    assert signed == covered
    assert len(signed) == 8
