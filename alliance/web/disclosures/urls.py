"""Pages of the disclosures app (included in ``alliance.web.urls``, namespace ``web``).

``draft_report_id`` names a report the page expects to be a draft (edit, sign).
"""

from django.urls import URLPattern, path

from alliance.web.disclosures import accounting, part2, reports

CLIENT = "clients/<int:client_id>/"
REPORT = "mandated-reports/<int:report_id>/"
DRAFT = "mandated-reports/<int:draft_report_id>/"

urlpatterns: list[URLPattern] = [
    path(CLIENT + "mandated-reports/new/", reports.create, name="mandated_report_create"),
    path("mandated-reports/", reports.report_list, name="mandated_report_list"),
    path(REPORT, reports.view, name="mandated_report_view"),
    path(DRAFT + "edit/", reports.edit, name="mandated_report_edit"),
    path(DRAFT + "sign/", reports.sign, name="mandated_report_sign"),
    path(REPORT + "addenda/new/", reports.addendum, name="mandated_report_addendum"),
    path(CLIENT + "disclosures/", accounting.client_accounting, name="disclosure_client"),
    path(CLIENT + "disclosures/new/", accounting.record, name="disclosure_record"),
    path("disclosures/<int:disclosure_id>/", accounting.entry, name="disclosure_entry"),
    path("disclosures/<int:disclosure_id>/correct/", accounting.correct, name="disclosure_correct"),
    path("privacy/disclosures/", accounting.report_find, name="disclosure_report"),
    path(
        "privacy/disclosures/clients/<int:client_id>/",
        accounting.report_client,
        name="disclosure_report_client",
    ),
    path(
        "privacy/disclosures/clients/<int:client_id>/pdf/",
        accounting.report_pdf,
        name="disclosure_report_pdf",
    ),
    path(CLIENT + "authorizations/", accounting.authorizations, name="authorizations"),
    path(
        CLIENT + "authorizations/<int:authorization_id>/revoke/",
        accounting.revoke,
        name="authorization_revoke",
    ),
    path(
        CLIENT + "notes/<int:pn_id>/disclose/",
        accounting.psychotherapy_disclose,
        name="psychotherapy_note_disclose",
    ),
    # 42 CFR Part 2 (SEC-20, SEC-21): only for staff who may see the client's Part 2 records.
    path(CLIENT + "part2/consents/", part2.consents, name="part2_consents"),
    path(
        CLIENT + "part2/consents/<int:part2_consent_id>/revoke/",
        part2.revoke,
        name="part2_consent_revoke",
    ),
    path(CLIENT + "part2/court-orders/", part2.court_orders, name="part2_court_orders"),
]
