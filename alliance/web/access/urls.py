"""Care teams, break-the-glass and restrictions.

Included in ``alliance.web.urls``, namespace ``web``.
"""

from django.urls import URLPattern, path

from alliance.web.access import break_glass, care_team, part2_labels, restrictions

urlpatterns: list[URLPattern] = [
    path("clients/<int:client_id>/care-team/", care_team.care_team, name="care_team"),
    path(
        "clients/<int:client_id>/care-team/<int:member_id>/end/",
        care_team.care_team_member_end,
        name="care_team_end",
    ),
    path("break-glass/", break_glass.break_glass, name="break_glass"),
    path(
        "clients/<int:client_id>/part2-label/<str:label_kind>/<int:labelled_id>/remove/",
        part2_labels.label_remove_page,
        name="part2_label_remove",
    ),
    path(
        "privacy/clients/<int:client_id>/restrictions/",
        restrictions.restrictions,
        name="client_restrictions",
    ),
    path(
        "privacy/clients/<int:client_id>/restrictions/<int:restriction_id>/lift/",
        restrictions.lift,
        name="restriction_lift",
    ),
]
