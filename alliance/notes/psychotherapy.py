"""What a psychotherapy note may not hold (SEC-18; 45 CFR 164.501).

A psychotherapy note is the therapist's private process note. The law excludes from it what
belongs in the record: medication, session start and stop times, modality and frequency of
treatment, results of tests, diagnosis, functional status, the treatment plan, symptoms,
prognosis and progress. Put there, such content would be hidden from the record and from the
client's right of access, so it is refused, category by category, with the words that matched.

The rules are patterns on purpose: predictable for the clinician, who reads which words caused
the refusal, and easy to review. They err on the side of refusing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

I = re.IGNORECASE  # noqa: E741

# Common psychiatric and addiction medications, generic and brand names.
MEDICATION_NAMES = (
    "abilify",
    "adderall",
    "alprazolam",
    "amitriptyline",
    "amphetamine",
    "aripiprazole",
    "atomoxetine",
    "ativan",
    "buprenorphine",
    "bupropion",
    "buspar",
    "buspirone",
    "carbamazepine",
    "celexa",
    "chlordiazepoxide",
    "chlorpromazine",
    "citalopram",
    "clomipramine",
    "clonazepam",
    "clonidine",
    "clozapine",
    "clozaril",
    "concerta",
    "cymbalta",
    "depakote",
    "desvenlafaxine",
    "dexmethylphenidate",
    "diazepam",
    "disulfiram",
    "divalproex",
    "duloxetine",
    "effexor",
    "escitalopram",
    "eszopiclone",
    "fluoxetine",
    "fluphenazine",
    "fluvoxamine",
    "gabapentin",
    "guanfacine",
    "haldol",
    "haloperidol",
    "hydroxyzine",
    "imipramine",
    "invega",
    "klonopin",
    "lamictal",
    "lamotrigine",
    "latuda",
    "lexapro",
    "librium",
    "lisdexamfetamine",
    "lithium",
    "lorazepam",
    "lurasidone",
    "methadone",
    "methylphenidate",
    "mirtazapine",
    "naloxone",
    "naltrexone",
    "nortriptyline",
    "olanzapine",
    "oxcarbazepine",
    "paliperidone",
    "paroxetine",
    "paxil",
    "perphenazine",
    "prazosin",
    "pristiq",
    "propranolol",
    "prozac",
    "quetiapine",
    "remeron",
    "risperdal",
    "risperidone",
    "ritalin",
    "seroquel",
    "sertraline",
    "strattera",
    "suboxone",
    "temazepam",
    "topiramate",
    "trazodone",
    "valium",
    "valproate",
    "venlafaxine",
    "vivitrol",
    "vraylar",
    "vyvanse",
    "wellbutrin",
    "xanax",
    "ziprasidone",
    "zoloft",
    "zolpidem",
    "zyprexa",
)


@dataclass(frozen=True)
class Rule:
    category: str
    label: str
    patterns: tuple[re.Pattern[str], ...]


def _words(*words: str, flags: int = I) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(words) + r")\b", flags)


RULES: tuple[Rule, ...] = (
    Rule(
        "medication",
        "medication names or doses",
        (
            re.compile(r"\b\d+(?:\.\d+)?\s?(?:mg|mcg|µg|ml|g|units?|iu)\b", I),
            _words(
                r"medications?",
                "meds",
                r"prescri\w*",
                r"dos(?:e|es|age|ing)",
                r"tablets?",
                r"pills?",
                r"capsules?",
                r"titrat\w*",
                r"refills?",
                r"antidepressants?",
                r"antipsychotics?",
                r"benzodiazepines?",
                r"stimulants?",
                r"mood stabili[sz]ers?",
            ),
            _words(*MEDICATION_NAMES),
        ),
    ),
    Rule(
        "session_times",
        "session start or stop times, or how long a session lasted",
        (
            re.compile(r"\b\d{1,2}:\d{2}\b"),
            re.compile(r"\b\d{1,2}\s?(?:am|pm|a\.m\.|p\.m\.)", I),
            _words(
                r"(?:start|stop|end|finish)(?:ed|s)? at",
                "began at",
                r"start(?:ing)? time",
                r"end(?:ing)? time",
                r"session (?:length|duration|time)",
                "duration",
            ),
            re.compile(r"\b\d+\s?(?:-\s?)?(?:minutes?|mins?|hours?|hrs?)\b", I),
        ),
    ),
    Rule(
        "modality",
        "treatment modality or frequency",
        (
            re.compile(r"\b(?:CBT|DBT|EMDR|IPT|ACT|MI|TF-CBT|CPT|PE)\b"),
            _words(
                "modality",
                r"modalities",
                r"cognitive[- ]behaviou?ral therapy",
                r"dialectical behaviou?r therapy",
                "exposure therapy",
                "motivational interviewing",
                "telehealth",
                r"weekly",
                r"bi-?weekly",
                "fortnightly",
                r"(?:once|twice|three times) (?:a|per) (?:week|month)",
                r"frequency of (?:sessions|treatment|visits)",
            ),
        ),
    ),
    Rule(
        "diagnosis",
        "diagnoses or diagnostic codes",
        (
            re.compile(r"\b[A-TV-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?\b"),
            _words(
                r"diagnos\w*",
                "dx",
                "DSM(?:-5(?:-TR)?)?",
                "ICD(?:-10(?:-CM)?)?",
                "meets criteria",
                r"disorders?",
                "PTSD",
                "ADHD",
                "OCD",
                "bipolar",
                r"schizo\w*",
                r"major depressi\w*",
                r"generali[sz]ed anxiety",
            ),
        ),
    ),
    Rule(
        "plan",
        "the treatment plan, its goals or objectives",
        (
            _words(
                r"treatment plans?",
                r"plans? of care",
                r"care plans?",
                r"service plans?",
                r"treatment goals?",
                r"objectives?",
                r"interventions? planned",
                "discharge plan",
                "referred to",
                r"referral",
            ),
        ),
    ),
    Rule(
        "progress",
        "symptoms, functional status, progress or prognosis",
        (
            _words(
                r"progress\w*",
                r"prognos\w*",
                r"symptom\w*",
                "functional status",
                r"functioning",
                r"improv\w*",
                r"deteriorat\w*",
                r"worsen\w*",
                r"relaps\w*",
                r"remission",
                "mental status",
            ),
        ),
    ),
    Rule(
        "tests",
        "results of tests or measures",
        (
            re.compile(
                r"\b(?:PHQ-?9|PHQ-?A|PHQ|GAD-?7|PCL-?5|AUDIT(?:-C)?|C-?SSRS|BDI(?:-II)?|BAI|"
                r"EPDS|CORE-?10|MMSE|MoCA|DAST|ASQ)\b",
                I,
            ),
            _words(
                r"tests? results?",
                r"scored",
                r"scores?",
                r"lab(?:oratory)? results?",
                "labs",
                r"(?:urine )?drug screens?",
                "UDS",
                r"blood (?:test|work|levels?)",
                r"screening results?",
                "questionnaire",
            ),
        ),
    ),
)


@dataclass(frozen=True)
class Finding:
    category: str
    label: str
    found: str

    @property
    def message(self) -> str:
        return (
            f"A psychotherapy note cannot hold {self.label} (found “{self.found}”). "
            "Write that in a progress note: it belongs in the client's record (SEC-18)."
        )


def excluded_content(texts: Iterable[str]) -> list[Finding]:
    """One finding per category that any of ``texts`` falls into, with the first words found."""
    text = "\n".join(texts)
    findings = []
    for rule in RULES:
        matches = [m for m in (p.search(text) for p in rule.patterns) if m]
        if matches:
            first = min(matches, key=lambda m: m.start())
            findings.append(Finding(rule.category, rule.label, first.group(0)))
    return findings
