"""42 CFR Part 2 consents, court orders and what each Part 2 disclosure rested on (SEC-20,
SEC-21, 42 CFR 2.51), with their database guards (``disclosures.guards.PART2_GUARDS``).

The choices of ``Disclosure.source_type`` change no column: the append-only table is not
rebuilt, so its triggers stay.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from alliance.disclosures.guards import PART2_GUARDS


def install(apps, schema_editor):
    PART2_GUARDS.install(schema_editor.connection)


def remove(apps, schema_editor):
    PART2_GUARDS.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0005_ordering_by_parent_id"),
        ("clients", "0007_contact_episode_version"),
        ("disclosures", "0004_report_addendum_signed"),
        ("organisation", "0002_program_membership"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="disclosure",
            name="source_type",
            field=models.CharField(
                choices=[
                    ("mandated_report", "Mandated report or duty to warn"),
                    ("psychotherapy_note", "Psychotherapy note"),
                    ("recorded", "Recorded by hand"),
                    ("part2", "42 CFR Part 2 program records (consent or court order)"),
                    ("part2_emergency", "42 CFR 2.51 medical emergency"),
                ],
                max_length=20,
            ),
        ),
        migrations.CreateModel(
            name="Part2Consent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "discloser",
                    models.CharField(
                        blank=True,
                        max_length=200,
                        verbose_name="or the person or class authorized to disclose",
                    ),
                ),
                (
                    "information_kind",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("summary", "Treatment summary (diagnosis, treatment plan, progress)"),
                            ("attendance", "Enrollment and attendance"),
                            ("medication", "Medications and dosing"),
                            ("test_results", "Drug screens and laboratory results"),
                            ("discharge", "Discharge summary"),
                            ("other", "Other information (described below)"),
                        ],
                        max_length=20,
                        verbose_name="kind of information",
                    ),
                ),
                (
                    "information",
                    models.TextField(verbose_name="the information, described specifically"),
                ),
                (
                    "information_amount",
                    models.CharField(
                        max_length=200, verbose_name="how much (dates, number of records)"
                    ),
                ),
                (
                    "covers_counseling_notes",
                    models.BooleanField(
                        default=False, verbose_name="covers SUD counseling notes (only them)"
                    ),
                ),
                (
                    "recipient_kind",
                    models.CharField(
                        choices=[
                            ("named", "A person or organization, by name"),
                            (
                                "tpo_class",
                                "For TPO: my treating providers, health plans, third-party payers, and people helping to operate this program",
                            ),
                            ("class", "A class of persons (described below)"),
                            (
                                "intermediary",
                                "An intermediary (e.g. a health information exchange)",
                            ),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "recipient",
                    models.CharField(max_length=300, verbose_name="recipient (name or class)"),
                ),
                (
                    "intermediary_participants",
                    models.TextField(
                        blank=True,
                        verbose_name="the intermediary's member participants (or class of treating providers)",
                    ),
                ),
                (
                    "purpose",
                    models.CharField(
                        choices=[
                            ("patient_request", "At the request of the patient"),
                            ("tpo", "For treatment, payment, and health care operations"),
                            ("treatment", "Treatment"),
                            ("payment", "Payment"),
                            (
                                "legal_proceedings",
                                "Use in civil, criminal, administrative or legislative proceedings against the patient",
                            ),
                            ("other", "Another purpose (stated below)"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "purpose_detail",
                    models.TextField(blank=True, verbose_name="purpose, in the consent's words"),
                ),
                (
                    "revocation_statement",
                    models.BooleanField(
                        default=False,
                        verbose_name="states the right to revoke in writing, how, and the reliance exception",
                    ),
                ),
                (
                    "expiry",
                    models.CharField(
                        choices=[
                            ("date", "On a date"),
                            ("end_of_treatment", "At the end of treatment (TPO consents only)"),
                            ("none", "None (TPO consents only)"),
                        ],
                        max_length=20,
                    ),
                ),
                ("expires_on", models.DateField(blank=True, null=True)),
                (
                    "signed_by",
                    models.CharField(
                        choices=[
                            ("patient", "The patient"),
                            (
                                "authorized",
                                "A person authorized to sign for the patient (42 CFR 2.14, 2.15)",
                            ),
                        ],
                        max_length=12,
                    ),
                ),
                ("signer_name", models.CharField(max_length=200, verbose_name="signed by (name)")),
                (
                    "signer_relationship",
                    models.CharField(
                        blank=True,
                        max_length=200,
                        verbose_name="relationship to the patient and authority to sign",
                    ),
                ),
                ("signed_on", models.DateField(verbose_name="date signed")),
                (
                    "tpo_redisclosure_statement",
                    models.BooleanField(
                        default=False,
                        verbose_name="states that records disclosed for TPO may be redisclosed and lose Part 2 protection",
                    ),
                ),
                (
                    "tpo_refusal_statement",
                    models.BooleanField(
                        default=False, verbose_name="states the consequences of refusing to sign"
                    ),
                ),
                ("revoked_at", models.DateTimeField(blank=True, null=True)),
                (
                    "revocation",
                    models.TextField(blank=True, verbose_name="the client's written revocation"),
                ),
                (
                    "client",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="clients.client",
                    ),
                ),
                (
                    "program",
                    models.ForeignKey(
                        blank=True,
                        limit_choices_to={"is_part2": True},
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="organisation.program",
                        verbose_name="Part 2 program authorized to disclose",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "revoked_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-signed_on", "-id"],
            },
        ),
        migrations.CreateModel(
            name="Part2CourtOrder",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("court", models.CharField(max_length=200)),
                ("order_date", models.DateField(verbose_name="date of the order")),
                ("reference", models.CharField(max_length=120, verbose_name="docket or reference")),
                (
                    "section",
                    models.CharField(
                        choices=[
                            ("2.64", "42 CFR 2.64: for purposes other than criminal charges"),
                            ("2.65", "42 CFR 2.65: to investigate or prosecute the patient"),
                        ],
                        max_length=4,
                    ),
                ),
                (
                    "scope",
                    models.TextField(
                        verbose_name="what the order authorizes (records, recipient, use)"
                    ),
                ),
                ("recorded_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "client",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="clients.client",
                    ),
                ),
                (
                    "program",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="organisation.program",
                        verbose_name="Part 2 program the order names",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-order_date", "-id"],
            },
        ),
        migrations.CreateModel(
            name="Part2Disclosure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "basis",
                    models.CharField(
                        choices=[
                            ("consent", "The patient's written consent (42 CFR 2.31)"),
                            ("court_order", "A court order (42 CFR 2.64, 2.65)"),
                            ("emergency", "A medical emergency (42 CFR 2.51)"),
                        ],
                        max_length=12,
                    ),
                ),
                (
                    "purpose",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("patient_request", "At the request of the patient"),
                            ("tpo", "For treatment, payment, and health care operations"),
                            ("treatment", "Treatment"),
                            ("payment", "Payment"),
                            (
                                "legal_proceedings",
                                "Use in civil, criminal, administrative or legislative proceedings against the patient",
                            ),
                            ("other", "Another purpose (stated below)"),
                        ],
                        max_length=20,
                    ),
                ),
                ("includes_counseling_notes", models.BooleanField(default=False)),
                (
                    "notice",
                    models.TextField(
                        blank=True, verbose_name="42 CFR 2.32 notice that accompanied it"
                    ),
                ),
                (
                    "scope",
                    models.TextField(
                        blank=True, verbose_name="the consent's or order's scope, as sent"
                    ),
                ),
                (
                    "recipient_affiliation",
                    models.CharField(
                        blank=True, max_length=200, verbose_name="recipient's facility"
                    ),
                ),
                (
                    "emergency_nature",
                    models.TextField(blank=True, verbose_name="nature of the emergency"),
                ),
                ("recorded_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "consent",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="disclosures",
                        to="disclosures.part2consent",
                    ),
                ),
                (
                    "court_order",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="disclosures",
                        to="disclosures.part2courtorder",
                    ),
                ),
                (
                    "disclosure",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="part2",
                        to="disclosures.disclosure",
                    ),
                ),
                (
                    "grant",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="part2_emergencies",
                        to="access.breakglassgrant",
                    ),
                ),
                (
                    "program",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="organisation.program",
                    ),
                ),
            ],
            options={
                "ordering": ["disclosure_id"],
            },
        ),
        migrations.AddIndex(
            model_name="part2consent",
            index=models.Index(fields=["client", "revoked_at"], name="part2consent_client_idx"),
        ),
        migrations.AddConstraint(
            model_name="part2consent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("program__isnull", False),
                    models.Q(("discloser", ""), _negated=True),
                    _connector="OR",
                ),
                name="part2consent_discloser",
            ),
        ),
        migrations.AddConstraint(
            model_name="part2consent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("information", ""), _negated=True),
                    models.Q(("information_amount", ""), _negated=True),
                ),
                name="part2consent_information",
            ),
        ),
        migrations.AddConstraint(
            model_name="part2consent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("covers_counseling_notes", True), ("information_kind", "")),
                    models.Q(
                        ("covers_counseling_notes", False),
                        models.Q(("information_kind", ""), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="part2consent_counseling_notes_separate",
            ),
        ),
        migrations.AddConstraint(
            model_name="part2consent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("recipient", ""), _negated=True),
                    models.Q(
                        models.Q(("recipient_kind", "intermediary"), _negated=True),
                        models.Q(("intermediary_participants", ""), _negated=True),
                        _connector="OR",
                    ),
                    models.Q(
                        models.Q(("recipient_kind", "tpo_class"), _negated=True),
                        ("purpose", "tpo"),
                        _connector="OR",
                    ),
                ),
                name="part2consent_recipient",
            ),
        ),
        migrations.AddConstraint(
            model_name="part2consent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("purpose", "other"), _negated=True),
                    models.Q(("purpose_detail", ""), _negated=True),
                    _connector="OR",
                ),
                name="part2consent_purpose",
            ),
        ),
        migrations.AddConstraint(
            model_name="part2consent",
            constraint=models.CheckConstraint(
                condition=models.Q(("revocation_statement", True)), name="part2consent_revocable"
            ),
        ),
        migrations.AddConstraint(
            model_name="part2consent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("expires_on__gte", models.F("signed_on")),
                        ("expires_on__isnull", False),
                        ("expiry", "date"),
                    ),
                    models.Q(
                        ("expires_on__isnull", True),
                        ("expiry__in", ["end_of_treatment", "none"]),
                        ("purpose", "tpo"),
                    ),
                    _connector="OR",
                ),
                name="part2consent_expiry",
            ),
        ),
        migrations.AddConstraint(
            model_name="part2consent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("signer_name", ""), _negated=True),
                    models.Q(
                        ("signed_by", "patient"),
                        models.Q(("signer_relationship", ""), _negated=True),
                        _connector="OR",
                    ),
                ),
                name="part2consent_signature",
            ),
        ),
        migrations.AddConstraint(
            model_name="part2consent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("purpose", "tpo"), _negated=True),
                    models.Q(("tpo_redisclosure_statement", True), ("tpo_refusal_statement", True)),
                    _connector="OR",
                ),
                name="part2consent_tpo_statements",
            ),
        ),
        migrations.AddConstraint(
            model_name="part2consent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("revocation", ""), ("revoked_at__isnull", True)),
                    models.Q(
                        ("revoked_at__isnull", False), models.Q(("revocation", ""), _negated=True)
                    ),
                    _connector="OR",
                ),
                name="part2consent_revocation_written",
            ),
        ),
        migrations.AddConstraint(
            model_name="part2courtorder",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("court", ""), _negated=True),
                    models.Q(("reference", ""), _negated=True),
                    models.Q(("scope", ""), _negated=True),
                ),
                name="part2order_complete",
            ),
        ),
        migrations.AddConstraint(
            model_name="part2disclosure",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("basis", "consent"),
                        ("consent__isnull", False),
                        models.Q(("notice", ""), _negated=True),
                        models.Q(("purpose", ""), _negated=True),
                    ),
                    models.Q(
                        ("basis", "court_order"),
                        ("court_order__isnull", False),
                        models.Q(("notice", ""), _negated=True),
                        models.Q(("purpose", ""), _negated=True),
                    ),
                    models.Q(
                        ("basis", "emergency"),
                        ("grant__isnull", False),
                        models.Q(("recipient_affiliation", ""), _negated=True),
                        models.Q(("emergency_nature", ""), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="part2disclosure_basis",
            ),
        ),
        migrations.RunPython(install, remove, elidable=False),
    ]
