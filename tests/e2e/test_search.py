"""Client search in a real browser: the results survive Back, and the URL holds no PHI."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from alliance.audit.models import AuditEvent
from tests.e2e.conftest import shot, sign_in
from tests.personas import PASSWORD, USERNAMES, build_clinic

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

THERAPIST = USERNAMES["therapist_on_team"][0]
RESULTS = re.compile(r"/clients/search/\?s=[A-Za-z0-9_-]{22,}$")


def test_back_from_a_chart_shows_the_search_results_again(page: Page, live_server: object) -> None:
    """SEC-33: the search posts, the results sit at an opaque token's URL, and Back from the
    chart shows them again (searched anew, not resubmitted) with nothing typed in the URL."""
    clinic = build_clinic()
    base = str(live_server)
    sign_in(page, base, THERAPIST, PASSWORD)
    resubmit_prompts: list[str] = []
    page.on("dialog", lambda dialog: (resubmit_prompts.append(dialog.message), dialog.dismiss()))

    # given a search for part of a name, typed without accents
    page.get_by_role("link", name="Find a client").click()
    page.get_by_label("Name, MRN or date of birth").fill("nunez")
    page.get_by_role("button", name="Search").click()

    # then the results are shown at a URL that names only a token
    results = page.get_by_role("table")
    expect(results.get_by_role("link", name="Zoë Núñez")).to_be_visible()
    expect(page).to_have_url(RESULTS)
    results_url = page.url
    assert "nunez" not in results_url.lower()
    shot(page, "search-01-results")

    # when a chart is opened from the results, and Back is pressed
    results.get_by_role("link", name="Zoë Núñez").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Zoë Núñez")
    page.go_back()

    # then the same results are shown again, under the same URL, with the query kept
    expect(page).to_have_url(results_url)
    expect(page.get_by_role("table").get_by_role("link", name="Zoë Núñez")).to_be_visible()
    expect(page.get_by_label("Name, MRN or date of birth")).to_have_value("nunez")
    shot(page, "search-02-back")

    # and a reload shows them too, without asking to send the form again
    page.reload()
    expect(page.get_by_role("table").get_by_role("link", name="Zoë Núñez")).to_be_visible()
    assert resubmit_prompts == []
    rows = AuditEvent.objects.filter(action="search", actor=clinic.therapist_on_team)
    searches = [e.detail for e in rows if "query" in e.detail]  # not the caseload's rows
    # each showing of the results is a search, and audited (Back may come from the cache)
    assert len(searches) >= 2
    assert all(d == {"query": "nunez", "client_ids": [clinic.client_a.pk]} for d in searches)
